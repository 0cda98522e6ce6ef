package io.tributary.config;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigLoaderTest {

    private static final Map<String, String> HOST = Map.of("HOSTNAME", "test-host");

    @TempDir
    Path dir;

    @Test
    void defaults() {
        TributaryConfig c = ConfigLoader.load(new String[0], HOST);

        assertThat(c.nodeId()).isEqualTo("test-host");
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.mqtt()).isEqualTo(new MqttConfig("0.0.0.0", 1883, 1_048_576, 256, Duration.ofSeconds(10),
                0, 1024, 64, 1024, 1000, 8L * 1024 * 1024, 0xFFFF_FFFFL, Duration.ofSeconds(5), 0, true));
        assertThat(c.auth()).isEqualTo(new AuthConfig(true, null));
        assertThat(c.kafka().bootstrapServers()).isNull();
        assertThat(c.kafka().maxInflightBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(c.kafka().topics()).isEqualTo(new TopicsConfig("mqtt.messages", "mqtt.retained",
                "mqtt.sessions", "mqtt.subscriptions", "mqtt.events", "mqtt.deliveries", "mqtt.dead-letter", 6, -1, -1L));
        assertThat(c.kafka().embedded()).isEqualTo(new EmbeddedKafkaConfig("127.0.0.1", 9092, 9093,
                86_400_000L, 1_073_741_824L, 67_108_864, Map.of()));
        assertThat(c.kafka().producer()).isEmpty();
        assertThat(c.kafka().consumer()).isEmpty();
        assertThat(c.kafka().admin()).isEmpty();
        assertThat(c.mapping()).isEmpty();
        assertThat(c.mappingRules()).isEmpty();
    }

    @Test
    void defaultNodeIdIsAValidNodeIdEvenWithoutHostnameVariable() {
        TributaryConfig c = ConfigLoader.load(new String[0], Map.of());
        assertThat(Settings.nodeIdProblem(c.nodeId())).isNull();
    }

    @Test
    void defaultsMatchTheBridgeDefaults() {
        KafkaSettings k = ConfigLoader.load(new String[0], HOST).kafkaSettings();

        assertThat(k.useEmbedded()).isTrue();
        assertThat(k.maxInflightBytes()).isEqualTo(KafkaSettings.DEFAULT_MAX_INFLIGHT_BYTES);
        assertThat(k.topics()).isEqualTo(io.tributary.bridge.TopicSettings.defaults());
        assertThat(k.embedded()).isEqualTo(io.tributary.bridge.EmbeddedKafkaSettings.defaults(
                Path.of("data").toAbsolutePath().resolve("kafka")));
    }

    @Test
    void readsEveryKindOfSettingFromYaml() throws IOException {
        Path file = write("""
                node-id: node-1
                data-dir: /var/lib/tributary
                mqtt:
                  host: 127.0.0.1
                  port: 1884
                  max-packet-size: 65536
                  max-client-id-length: 23
                  connect-timeout: 500ms
                  max-keep-alive: 600
                  receive-maximum: 10
                  topic-alias-maximum: 0
                  max-inflight-per-connection: 16
                  max-queued-messages: 50
                  max-queued-bytes: 4096
                  max-session-expiry: 3600
                  session-checkpoint-interval: 2s
                  event-loop-threads: 2
                  epoll: false
                auth:
                  allow-anonymous: false
                  password-file: /etc/tributary/passwd
                kafka:
                  bootstrap-servers: k1:9092,k2:9092
                  max-inflight-bytes: 1000
                  topics:
                    messages: m
                    retained: r
                    sessions: s
                    subscriptions: sub
                    partitions: 12
                    replication-factor: 3
                    message-retention-ms: 3600000
                  embedded:
                    host: 0.0.0.0
                    port: 19092
                    controller-port: 19093
                    retention-ms: 1000
                    retention-bytes: -1
                    segment-bytes: 1048576
                    broker:
                      num.io.threads: 2
                  producer:
                    linger.ms: 5
                    enable.idempotence: true
                    compression:
                      type: lz4
                  consumer:
                    fetch.max.wait.ms: "50"
                  admin:
                    request.timeout.ms: 3000
                mapping:
                  - filter: sensors/#
                    kafka-topic: telemetry
                    key: level:1
                  - filter: cmd/+/in
                    kafka-topic: commands
                    key: client-id
                  - filter: logs/#
                    kafka-topic: logs
                """);

        TributaryConfig c = ConfigLoader.load(new String[] {"--config", file.toString()}, HOST);

        assertThat(c.nodeId()).isEqualTo("node-1");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/tributary"));
        assertThat(c.mqtt()).isEqualTo(new MqttConfig("127.0.0.1", 1884, 65536, 23, Duration.ofMillis(500),
                600, 10, 0, 16, 50, 4096, 3600, Duration.ofSeconds(2), 2, false));
        assertThat(c.auth()).isEqualTo(new AuthConfig(false, Path.of("/etc/tributary/passwd")));
        assertThat(c.kafka().bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.kafka().maxInflightBytes()).isEqualTo(1000);
        assertThat(c.kafka().topics()).isEqualTo(new TopicsConfig("m", "r", "s", "sub", "mqtt.events", "mqtt.deliveries", "mqtt.dead-letter", 12, 3, 3_600_000L));
        assertThat(c.kafka().embedded()).isEqualTo(new EmbeddedKafkaConfig("0.0.0.0", 19092, 19093, 1000, -1,
                1_048_576, Map.of("num.io.threads", "2")));
        assertThat(c.kafka().producer()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "linger.ms", "5", "enable.idempotence", "true", "compression.type", "lz4"));
        assertThat(c.kafka().consumer()).containsExactlyEntriesOf(Map.of("fetch.max.wait.ms", "50"));
        assertThat(c.kafka().admin()).containsExactlyEntriesOf(Map.of("request.timeout.ms", "3000"));
        assertThat(c.mappingRules()).containsExactly(
                new MappingRule(TopicFilter.parse("sensors/#"), "telemetry", new KeyStrategy.Level(1)),
                new MappingRule(TopicFilter.parse("cmd/+/in"), "commands", new KeyStrategy.ClientId()),
                new MappingRule(TopicFilter.parse("logs/#"), "logs", new KeyStrategy.Topic()));

        KafkaSettings k = c.kafkaSettings();
        assertThat(k.useEmbedded()).isFalse();
        assertThat(k.topics().replicationFactor()).isEqualTo((short) 3);
        assertThat(k.embedded().dataDir()).isEqualTo(Path.of("/var/lib/tributary/kafka"));
        assertThat(k.embedded().brokerOverrides()).containsEntry("num.io.threads", "2");
        assertThat(k.producer()).containsEntry("linger.ms", "5");
    }

    @Test
    void emptyFileAndEmptySectionsGiveTheDefaults() throws IOException {
        Path empty = write("");
        Path sections = write("""
                mqtt:
                kafka:
                  producer:
                mapping:
                """);

        TributaryConfig defaults = ConfigLoader.load(new String[0], HOST);
        assertThat(ConfigLoader.load(new String[] {"--config", empty.toString()}, HOST)).isEqualTo(defaults);
        assertThat(ConfigLoader.load(new String[] {"--config", sections.toString()}, HOST)).isEqualTo(defaults);
    }

    @Test
    void durationsInShortAndIsoForm() {
        assertThat(timeout("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(timeout("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(timeout("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(timeout("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(timeout("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(timeout("PT0.25S")).isEqualTo(Duration.ofMillis(250));
    }

    private static Duration timeout(String text) {
        return ConfigLoader.load(new String[] {"--set", "mqtt.connect-timeout=" + text}, HOST).mqtt().connectTimeout();
    }

    @Test
    void precedenceIsFileThenEnvironmentThenFlags() throws IOException {
        Path file = write("""
                mqtt:
                  port: 1001
                  receive-maximum: 11
                  topic-alias-maximum: 21
                kafka:
                  producer:
                    linger.ms: 1
                    acks: all
                """);
        Map<String, String> env = new HashMap<>(HOST);
        env.put("TRIBUTARY_MQTT_PORT", "1002");
        env.put("TRIBUTARY_MQTT_RECEIVE_MAXIMUM", "12");
        env.put("TRIBUTARY_KAFKA_PRODUCER_LINGER_MS", "2");

        TributaryConfig c = ConfigLoader.load(new String[] {
            "--config", file.toString(), "--mqtt-port", "1003", "--set", "kafka.producer.linger.ms=3"}, env);

        assertThat(c.mqtt().port()).isEqualTo(1003);              // flag over env over file
        assertThat(c.mqtt().receiveMaximum()).isEqualTo(12);      // env over file
        assertThat(c.mqtt().topicAliasMaximum()).isEqualTo(21);   // file over default
        assertThat(c.mqtt().maxInflightPerConnection()).isEqualTo(1024); // default
        assertThat(c.kafka().producer()).containsEntry("linger.ms", "3").containsEntry("acks", "all");
    }

    @Test
    void dedicatedFlagsWinOverSet() {
        TributaryConfig c = ConfigLoader.load(new String[] {"--mqtt-port", "1884", "--set", "mqtt.port=1885"}, HOST);
        assertThat(c.mqtt().port()).isEqualTo(1884);
    }

    @Test
    void everyDedicatedFlag() {
        TributaryConfig c = ConfigLoader.load(new String[] {
            "--data-dir", "/tmp/t", "--mqtt-port", "0", "--kafka-bootstrap", "k:9092",
            "--embedded-kafka-port", "29092", "--node-id", "n2", "--set", "mqtt.epoll=false",
            "--set", "auth.password-file=/etc/pw", "--set", "mqtt.connect-timeout=2m"}, HOST);

        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/t"));
        assertThat(c.mqtt().port()).isZero();
        assertThat(c.kafka().bootstrapServers()).isEqualTo("k:9092");
        assertThat(c.kafka().embedded().port()).isEqualTo(29092);
        assertThat(c.nodeId()).isEqualTo("n2");
        assertThat(c.mqtt().epoll()).isFalse();
        assertThat(c.auth().passwordFile()).isEqualTo(Path.of("/etc/pw"));
        assertThat(c.mqtt().connectTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void environmentNamesMapToKeysAndPassthroughProperties() {
        Map<String, String> env = new HashMap<>(HOST);
        env.put("TRIBUTARY_MQTT_MAX_PACKET_SIZE", "2048");
        env.put("TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS", "broker:9092");
        env.put("TRIBUTARY_KAFKA_EMBEDDED_CONTROLLER_PORT", "9999");
        env.put("TRIBUTARY_KAFKA_TOPICS_MESSAGE_RETENTION_MS", "60000");
        env.put("TRIBUTARY_AUTH_ALLOW_ANONYMOUS", "FALSE");
        env.put("TRIBUTARY_MQTT_CONNECT_TIMEOUT", "PT30S");
        env.put("TRIBUTARY_KAFKA_PRODUCER_LINGER_MS", "5");
        env.put("TRIBUTARY_KAFKA_CONSUMER_FETCH_MAX_WAIT_MS", "50");
        env.put("TRIBUTARY_KAFKA_ADMIN_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("TRIBUTARY_KAFKA_EMBEDDED_BROKER_NUM_IO_THREADS", "2");
        env.put("TRIBUTARY_NODE_ID", "from-env");
        env.put("OTHER_VARIABLE", "ignored");

        TributaryConfig c = ConfigLoader.load(new String[0], env);

        assertThat(c.mqtt().maxPacketSize()).isEqualTo(2048);
        assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
        assertThat(c.kafka().embedded().controllerPort()).isEqualTo(9999);
        assertThat(c.kafka().topics().messageRetentionMs()).isEqualTo(60000);
        assertThat(c.auth().allowAnonymous()).isFalse();
        assertThat(c.mqtt().connectTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.kafka().producer()).containsExactlyEntriesOf(Map.of("linger.ms", "5"));
        assertThat(c.kafka().consumer()).containsExactlyEntriesOf(Map.of("fetch.max.wait.ms", "50"));
        // values are passed verbatim; only the name is lower-cased
        assertThat(c.kafka().admin()).containsExactlyEntriesOf(Map.of("security.protocol", "SASL_SSL"));
        assertThat(c.kafka().embedded().broker()).containsExactlyEntriesOf(Map.of("num.io.threads", "2"));
        assertThat(c.nodeId()).isEqualTo("from-env");
    }

    @Test
    void emptyEnvironmentValueUnsetsANullableSetting() throws IOException {
        Path file = write("kafka:\n  bootstrap-servers: k:9092\n");
        Map<String, String> env = new HashMap<>(HOST);
        env.put("TRIBUTARY_KAFKA_BOOTSTRAP_SERVERS", "");

        TributaryConfig c = ConfigLoader.load(new String[] {"--config", file.toString()}, env);

        assertThat(c.kafka().bootstrapServers()).isNull();
        assertThat(c.kafkaSettings().useEmbedded()).isTrue();
    }

    @Test
    void passthroughMapsFlattenNestedSectionsAndDottedKeys() throws IOException {
        Path file = write("""
                kafka:
                  producer:
                    ssl:
                      truststore:
                        location: /etc/ts.jks
                        type: PKCS12
                    batch.size: 131072
                  consumer.fetch.min.bytes: 1
                kafka.admin.retries: 3
                """);

        TributaryConfig c = ConfigLoader.load(new String[] {"--config", file.toString()}, HOST);

        assertThat(c.kafka().producer()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ssl.truststore.location", "/etc/ts.jks", "ssl.truststore.type", "PKCS12", "batch.size", "131072"));
        assertThat(c.kafka().consumer()).containsExactlyEntriesOf(Map.of("fetch.min.bytes", "1"));
        assertThat(c.kafka().admin()).containsExactlyEntriesOf(Map.of("retries", "3"));
    }

    @Test
    void toYamlMasksSecretsAndToStringToo() {
        TributaryConfig c = ConfigLoader.load(new String[] {
            "--set", "kafka.producer.sasl.jaas.config=org.apache.kafka...PlainLoginModule required password=\"p\";",
            "--set", "kafka.consumer.ssl.keystore.password=hunter2",
            "--set", "kafka.admin.sasl.oauthbearer.token.endpoint.url=https://idp/token",
            "--set", "kafka.embedded.broker.some.Secret=s3",
            "--set", "kafka.producer.linger.ms=5"}, HOST);

        String yaml = c.toYaml();
        assertThat(yaml).doesNotContain("hunter2", "PlainLoginModule", "idp/token", "s3")
                .contains("sasl.jaas.config: '******'", "ssl.keystore.password: '******'", "some.Secret: '******'")
                .contains("linger.ms: \"5\"");
        assertThat(c.toString()).doesNotContain("hunter2", "PlainLoginModule", "idp/token", "s3")
                .contains("linger.ms=5");
        // the configuration object itself keeps the real values
        assertThat(c.kafka().consumer()).containsEntry("ssl.keystore.password", "hunter2");
    }

    @Test
    void printConfigOutputLoadsToTheSameConfig() throws IOException {
        Path file = write("""
                node-id: round-trip
                mqtt:
                  connect-timeout: 1500ms
                  port: 0
                auth:
                  password-file: pw.txt
                kafka:
                  producer:
                    linger.ms: 5
                    enable.idempotence: true
                  embedded:
                    broker:
                      log.flush.interval.messages: 1
                mapping:
                  - filter: a/+/c
                    kafka-topic: abc
                    key: none
                    mqtt-topic: devices/{key}/commands
                  - filter: "#"
                    kafka-topic: "123"
                """);
        String[] args = {"--config", file.toString(), "--set", "mqtt.max-keep-alive=60", "--print-config"};
        StringWriter out = new StringWriter();

        ConfigLoader.Result result = ConfigLoader.load(args, Map.of("TRIBUTARY_MQTT_EPOLL", "false"),
                new PrintWriter(out));

        assertThat(result).isEqualTo(new ConfigLoader.Result.Exit(0));
        Path printed = write(out.toString());
        TributaryConfig reloaded = ConfigLoader.load(new String[] {"--config", printed.toString()}, Map.of());
        TributaryConfig original = ConfigLoader.load(new String[] {"--config", file.toString(),
            "--set", "mqtt.max-keep-alive=60"}, Map.of("TRIBUTARY_MQTT_EPOLL", "false"));
        assertThat(reloaded).isEqualTo(original);
        assertThat(reloaded.mqtt().epoll()).isFalse();
        assertThat(reloaded.mapping()).containsExactly(
                new MappingConfig("a/+/c", "abc", "none", "devices/{key}/commands"),
                new MappingConfig("#", "123", "topic", null));
        assertThat(reloaded.mappingRules().get(0).mqttTopicTemplate()).isEqualTo("devices/{key}/commands");
    }

    @Test
    void runResultCarriesTheConfig() {
        StringWriter out = new StringWriter();
        ConfigLoader.Result result = ConfigLoader.load(new String[] {"--mqtt-port", "1"}, HOST, new PrintWriter(out));

        assertThat(result).isInstanceOf(ConfigLoader.Result.Run.class);
        assertThat(((ConfigLoader.Result.Run) result).config().mqtt().port()).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void helpAndVersionPrintAndExitZero() {
        StringWriter help = new StringWriter();
        assertThat(ConfigLoader.load(new String[] {"--help"}, HOST, new PrintWriter(help)))
                .isEqualTo(new ConfigLoader.Result.Exit(0));
        assertThat(help.toString()).contains("Usage: tributary", "--config", "--set", "--print-config",
                "--kafka-bootstrap", "--embedded-kafka-port", "--node-id", "--data-dir", "--mqtt-port");

        StringWriter version = new StringWriter();
        assertThat(ConfigLoader.load(new String[] {"-V"}, HOST, new PrintWriter(version)))
                .isEqualTo(new ConfigLoader.Result.Exit(0));
        assertThat(version.toString()).startsWith("tributary ");
    }

    @Test
    void helpIsNotCheckedAgainstTheConfiguration() {
        StringWriter out = new StringWriter();
        Map<String, String> badEnv = Map.of("TRIBUTARY_NOPE", "1");
        assertThat(ConfigLoader.load(new String[] {"--help"}, badEnv, new PrintWriter(out)))
                .isEqualTo(new ConfigLoader.Result.Exit(0));
    }

    @Test
    void mappingRulesKeepTheirOrder() throws IOException {
        Path file = write("""
                mapping:
                  - {filter: "a/#", kafka-topic: first}
                  - {filter: "#", kafka-topic: second}
                """);
        List<MappingRule> rules = ConfigLoader.load(new String[] {"--config", file.toString()}, HOST).mappingRules();
        assertThat(rules).extracting(MappingRule::kafkaTopic).containsExactly("first", "second");
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "tributary", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
