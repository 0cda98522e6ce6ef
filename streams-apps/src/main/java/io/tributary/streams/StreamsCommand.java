package io.tributary.streams;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The command line of a standalone streams app: {@code --bootstrap-servers}, {@code --config <file.properties>}
 * (the app's settings and {@code kafka.*} pass-through), {@code --state-dir}. A subclass reads its settings and
 * builds its topology; this class checks the settings, creates the app's topics, starts the app and runs it until
 * the JVM is asked to stop.
 *
 * <p>Settings every app has: {@code application-id}, {@code start-timeout} (60s), {@code create-topics} (true),
 * {@code topic-partitions} and {@code topic-replication-factor} (-1: the broker's default) for the topics it creates.
 *
 * @param <S> the app's settings
 */
public abstract class StreamsCommand<S> implements Callable<Integer> {

    /** The log configuration of the standalone apps (Kafka's clients are chatty at INFO). */
    public static final String LOG_CONFIG = "log4j2-streams.xml";
    static final Path DEFAULT_STATE_DIR = Path.of("data", "streams");

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka to connect to; overrides kafka.bootstrap.servers of the config file.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with the app's settings and kafka.* settings for Kafka Streams.")
    Path configFile;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the app keeps its local state; overrides state-dir (default: data/streams).")
    Path stateDir;

    /** What the settings make: everything {@link #start} needs, checked. */
    public record Plan<S>(String applicationId, S settings, Topology topology, Map<String, Object> streamsConfig,
            Path stateDir, Duration startTimeout, List<NewTopic> topics) {
    }

    /** The application id unless {@code application-id} is set. */
    protected abstract String defaultApplicationId();

    /** Reads the app's own settings; throws {@link SettingException} naming a bad one. */
    protected abstract S settings(AppConfig config);

    /** The app's topology, from the pure builder. */
    protected abstract Topology topology(S settings);

    /** The topics the app creates if they are missing. */
    protected abstract List<NewTopic> topics(S settings, int partitions, short replicationFactor);

    /** Checks the command line and the config file and builds everything the app needs, without touching Kafka. */
    public final Plan<S> plan() {
        AppConfig config = configFile == null ? AppConfig.empty() : AppConfig.load(configFile);
        String applicationId = config.string("application-id", defaultApplicationId());
        Duration startTimeout = config.duration("start-timeout", Duration.ofSeconds(60));
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw config.invalid("start-timeout", "must be positive");
        }
        boolean createTopics = config.bool("create-topics", true);
        int partitions = config.integer("topic-partitions", -1);
        if (partitions == 0 || partitions < -1) {
            throw config.invalid("topic-partitions", "must be >= 1, or -1 for the broker default");
        }
        int replication = config.integer("topic-replication-factor", -1);
        if (replication == 0 || replication < -1 || replication > Short.MAX_VALUE) {
            throw config.invalid("topic-replication-factor", "must be >= 1, or -1 for the broker default");
        }
        Path configuredStateDir = Path.of(config.string("state-dir", DEFAULT_STATE_DIR.toString()));
        S settings = settings(config);
        Map<String, Object> kafka = config.kafka();
        config.checkAllRead();

        if (bootstrapServers != null) {
            kafka.put("bootstrap.servers", bootstrapServers);
        }
        if (kafka.get("bootstrap.servers") == null || kafka.get("bootstrap.servers").toString().isBlank()) {
            throw new SettingException("bootstrap.servers is not set: give --bootstrap-servers or set "
                    + "kafka.bootstrap.servers in the --config file");
        }
        Path dir = stateDir != null ? stateDir : configuredStateDir;
        Map<String, Object> streamsConfig = StreamsRunner.config(applicationId, kafka, dir);
        try {
            new StreamsConfig(streamsConfig); // an invalid kafka.* value fails here, named by Kafka
        } catch (RuntimeException e) {
            throw new SettingException("invalid Kafka Streams setting (kafka.*): " + e.getMessage(), e);
        }
        List<NewTopic> topics = createTopics ? topics(settings, partitions, (short) replication) : List.of();
        return new Plan<>(applicationId, settings, topology(settings), streamsConfig, dir, startTimeout, topics);
    }

    /** Creates the app's topics and starts it; returns once it is RUNNING. */
    public final StreamsRunner start() {
        Plan<S> plan = plan();
        Logger log = LoggerFactory.getLogger(getClass());
        log.info("{}: settings {}, state in {}", plan.applicationId(), plan.settings(), plan.stateDir());
        log.debug("{}: topology\n{}", plan.applicationId(), plan.topology().describe());
        AppTopics.ensure(plan.streamsConfig(), plan.topics(), plan.startTimeout());
        return StreamsRunner.start(plan.applicationId(), plan.topology(), plan.streamsConfig(), plan.stateDir(),
                plan.startTimeout());
    }

    /** Runs the app until the JVM is asked to stop (0) or the app fails (1); a bad setting exits with 1 at once. */
    @Override
    public final Integer call() {
        String name = new CommandLine(this).getCommandName();
        StreamsRunner runner;
        try {
            runner = start();
        } catch (SettingException | IllegalStateException e) {
            System.err.println(name + ": " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runner::close, name + "-shutdown"));
        try {
            Throwable failure = runner.awaitStopped();
            return failure == null ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Runs {@code command} with {@code args} and returns the exit status; the standalone mains exit with it. */
    public static int execute(StreamsCommand<?> command, String... args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG);
        }
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(System.err, true));
        return cli.execute(args);
    }
}
