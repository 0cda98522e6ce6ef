package io.tributary.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Builds the effective {@link TributaryConfig} from, in rising precedence: the built-in defaults, the YAML file
 * given with {@code --config}, the {@code TRIBUTARY_*} environment variables, and the command-line flags
 * ({@code --set key=value} first, then the dedicated flags such as {@code --mqtt-port}).
 *
 * <p>{@link #load(String[], Map, PrintWriter)} is the command line as a whole: besides the configuration it may
 * ask the caller to exit, after writing to {@code out}, for {@code --help}, {@code --version} and
 * {@code --print-config}; it returns a {@link Result} saying which. {@link #load(String[], Map)} is for callers
 * that only want a configuration (tests, embedding).
 *
 * <p>Every problem (unknown or invalid setting, unreadable file, bad command line) is a {@link ConfigException}
 * whose message names the setting and where it came from; the caller prints it and exits with status 1.
 */
public final class ConfigLoader {

    /** What the caller does next. */
    public sealed interface Result {

        /** Start the broker with this configuration. */
        record Run(TributaryConfig config) implements Result {
            public Run {
                Objects.requireNonNull(config, "config");
            }
        }

        /** Nothing to run: the requested output has been written; exit the process with {@code code}. */
        record Exit(int code) implements Result {
        }
    }

    private ConfigLoader() {
    }

    /**
     * Loads the configuration from the command line and {@code env} (the process environment in production).
     *
     * @param args command-line arguments as given to {@code main}
     * @param env  environment variables; only names starting with {@code TRIBUTARY_} are read, and
     *             {@code HOSTNAME} for the default node id
     * @param out  where usage, version and the printed configuration go
     * @return {@link Result.Run} with the configuration, or {@link Result.Exit} when {@code --help},
     *         {@code --version} or {@code --print-config} was handled
     * @throws ConfigException with a message for the operator if anything is wrong
     */
    public static Result load(String[] args, Map<String, String> env, PrintWriter out) {
        Options options = new Options();
        CommandLine cli = commandLine(options);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            String hint = " (see --help)";
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = " (did you mean " + u.getSuggestions().get(0) + "?)";
            }
            throw new ConfigException("invalid command line: " + e.getMessage() + hint, e);
        }
        if (cli.isUsageHelpRequested()) {
            cli.usage(out);
            out.flush();
            return new Result.Exit(0);
        }
        if (cli.isVersionHelpRequested()) {
            cli.printVersionHelp(out);
            out.flush();
            return new Result.Exit(0);
        }
        TributaryConfig config = build(options, env);
        if (options.printConfig) {
            out.print(config.toYaml());
            out.flush();
            return new Result.Exit(0);
        }
        return new Result.Run(config);
    }

    /**
     * Loads the configuration like {@link #load(String[], Map, PrintWriter)}, for callers that only want the
     * configuration; {@code --help}, {@code --version} and {@code --print-config} are rejected.
     *
     * @throws ConfigException if anything is wrong
     */
    public static TributaryConfig load(String[] args, Map<String, String> env) {
        Result result = load(args, env, new PrintWriter(new StringWriter()));
        if (result instanceof Result.Run run) {
            return run.config();
        }
        throw new ConfigException("invalid command line: --help, --version and --print-config are handled only by"
                + " ConfigLoader.load(args, env, out)");
    }

    private static TributaryConfig build(Options options, Map<String, String> env) {
        ConfigBuilder builder = new ConfigBuilder(env);
        if (options.configFile != null) {
            builder.applyYaml(readFile(options.configFile), ConfigBuilder.Source.file(options.configFile));
        }
        builder.applyEnvironment(env);
        for (String assignment : options.set) {
            builder.applySet(assignment);
        }
        flag(builder, "--data-dir", "data-dir", options.dataDir);
        flag(builder, "--node-id", "node-id", options.nodeId);
        flag(builder, "--mqtt-port", "mqtt.port", options.mqttPort);
        flag(builder, "--kafka-bootstrap", "kafka.bootstrap-servers", options.kafkaBootstrap);
        flag(builder, "--embedded-kafka-port", "kafka.embedded.port", options.embeddedKafkaPort);
        return builder.build();
    }

    private static void flag(ConfigBuilder builder, String flag, String key, String value) {
        if (value != null) {
            builder.applyFlag(flag, key, value);
        }
    }

    private static JsonNode readFile(String name) {
        Path path = Path.of(name);
        if (!Files.exists(path)) {
            throw ConfigException.invalid("configuration file " + name + " does not exist (from flag --config)");
        }
        if (!Files.isRegularFile(path)) {
            throw ConfigException.invalid("configuration file " + name + " is not a regular file (from flag --config)");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.invalid("cannot read configuration file " + name + ": " + e);
        }
        try {
            return ConfigMapper.readYaml(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String problem = yamlProblem(e.getOriginalMessage());
            throw ConfigException.invalid("file " + name + " is not valid YAML" + where + ": " + problem);
        }
    }

    /** SnakeYAML's multi-line message without the source excerpts; Jackson's duplicate-key message shortened. */
    private static String yamlProblem(String message) {
        java.util.regex.Matcher dup = java.util.regex.Pattern.compile("Duplicate field '(.*?)'").matcher(message);
        if (dup.find()) {
            return "duplicate key '" + dup.group(1) + "'";
        }
        String problem = message.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(java.util.stream.Collectors.joining("; "));
        return problem.isEmpty() ? "syntax error" : problem;
    }

    private static CommandLine commandLine(Options options) {
        CommandLine cli = new CommandLine(options);
        cli.setExpandAtFiles(false);
        return cli;
    }

    /** The version of this build, from the Maven descriptor in the jar. */
    static String version() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(
                "/META-INF/maven/io.tributary/tributary-mqtt-frontend/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown (not run from the jar)";
    }

    @Command(name = "tributary",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            sortOptions = false,
            description = "An MQTT broker whose storage and backbone is Apache Kafka.",
            footer = {
                "",
                "Settings come from, in rising precedence: built-in defaults,",
                "the --config file, TRIBUTARY_* environment variables",
                "(TRIBUTARY_MQTT_PORT=1884, TRIBUTARY_KAFKA_PRODUCER_LINGER_MS=5)",
                "and these flags. All settings: docs/configuration.md"})
    static final class Options {

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
        String configFile;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "directory for local data (default ./data)")
        String dataDir;

        @Option(names = "--node-id", paramLabel = "ID", description = "id of this broker node (default: host name)")
        String nodeId;

        @Option(names = "--mqtt-port", paramLabel = "N", description = "MQTT port (default 1883)")
        String mqttPort;

        @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
                description = "an external Kafka cluster; without it the embedded Kafka starts")
        String kafkaBootstrap;

        @Option(names = "--embedded-kafka-port", paramLabel = "N", description = "embedded Kafka port (default 9092)")
        String embeddedKafkaPort;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = {"any setting by its dotted key; repeatable",
                    "e.g. mqtt.receive-maximum=100, kafka.producer.linger.ms=5"})
        List<String> set = new ArrayList<>();

        @Option(names = "--print-config", description = "print the effective configuration as YAML and exit")
        boolean printConfig;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "tributary " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
