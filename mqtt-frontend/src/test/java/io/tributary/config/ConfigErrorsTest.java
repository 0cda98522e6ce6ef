package io.tributary.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kind of error stops the start with one message naming the setting and its source. */
class ConfigErrorsTest {

    @TempDir
    Path dir;

    private Path file;

    // ---- unknown settings -------------------------------------------------------------------------------------

    @Test
    void unknownKeyInFileWithSuggestion() throws IOException {
        assertThat(fileError("mqtt:\n  prot: 1884\n")).isEqualTo(
                "invalid configuration: unknown setting 'mqtt.prot' in file " + file + " (did you mean 'mqtt.port'?)");
    }

    @Test
    void unknownSectionInFile() throws IOException {
        assertThat(fileError("mqt:\n  port: 1884\n")).isEqualTo(
                "invalid configuration: unknown setting 'mqt' in file " + file + " (did you mean 'mqtt'?)");
        assertThat(fileError("completely-unrelated: 1\n")).isEqualTo(
                "invalid configuration: unknown setting 'completely-unrelated' in file " + file);
    }

    @Test
    void unknownKeyInMappingRule() throws IOException {
        assertThat(fileError("mapping:\n  - filter: a/#\n    kafka-topik: t\n")).isEqualTo(
                "invalid configuration: unknown setting 'mapping[0].kafka-topik' in file " + file
                        + " (did you mean 'mapping[0].kafka-topic'?)");
    }

    @Test
    void unknownEnvironmentVariable() {
        assertThat(envError("TRIBUTARY_MQTT_PROT", "1884")).isEqualTo(
                "invalid configuration: unknown environment variable TRIBUTARY_MQTT_PROT"
                        + " (did you mean TRIBUTARY_MQTT_PORT?)");
        assertThat(envError("TRIBUTARY_XYZZY", "1")).isEqualTo(
                "invalid configuration: unknown environment variable TRIBUTARY_XYZZY");
    }

    @Test
    void mappingFromEnvironmentIsRefusedWithTheReason() {
        assertThat(envError("TRIBUTARY_MAPPING_0_FILTER", "a/#")).isEqualTo(
                "invalid configuration: environment variable TRIBUTARY_MAPPING_0_FILTER: mapping rules cannot be set"
                        + " from the environment; list them under 'mapping:' in the configuration file");
    }

    @Test
    void unknownKeyInSetFlag() {
        assertThat(argsError("--set", "mqtt.recieve-maximum=5")).isEqualTo(
                "invalid configuration: unknown setting 'mqtt.recieve-maximum' in flag --set"
                        + " (did you mean 'mqtt.receive-maximum'?)");
        assertThat(argsError("--set", "mapping[0].filter=a")).contains("mapping rules cannot be set with --set");
        assertThat(argsError("--set", "kafka.producer=x")).contains("kafka.producer is a section");
        assertThat(argsError("--set", "novalue")).isEqualTo(
                "invalid command line: --set expects KEY=VALUE, got 'novalue'");
    }

    @Test
    void unknownOption() {
        assertThat(argsError("--mqtt-prot", "1")).isEqualTo(
                "invalid command line: Unknown options: '--mqtt-prot', '1' (did you mean --mqtt-port?)");
        assertThat(argsError("stray")).isEqualTo(
                "invalid command line: Unmatched argument at index 0: 'stray' (see --help)");
        assertThat(argsError("--mqtt-port")).startsWith("invalid command line: Missing required parameter");
    }

    // ---- wrong types ------------------------------------------------------------------------------------------

    @Test
    void stringForAnIntegerInFile() throws IOException {
        assertThat(fileError("mqtt:\n  port: \"1884\"\n")).isEqualTo(
                "invalid configuration: mqtt.port: expected an integer, got string \"1884\" (from file " + file + ")");
        assertThat(fileError("mqtt:\n  port: abc\n")).isEqualTo(
                "invalid configuration: mqtt.port: expected an integer, got string \"abc\" (from file " + file + ")");
        assertThat(fileError("mqtt:\n  port: 1.5\n")).isEqualTo(
                "invalid configuration: mqtt.port: expected an integer, got 1.5 (from file " + file + ")");
    }

    @Test
    void nonIntegerFromEnvironmentAndFlag() {
        assertThat(envError("TRIBUTARY_MQTT_PORT", "abc")).isEqualTo(
                "invalid configuration: mqtt.port: 'abc' is not an integer (from environment TRIBUTARY_MQTT_PORT)");
        assertThat(argsError("--mqtt-port", "1e3")).isEqualTo(
                "invalid configuration: mqtt.port: '1e3' is not an integer (from flag --mqtt-port)");
    }

    @Test
    void wrongTypesForBooleansStringsAndSections() throws IOException {
        assertThat(fileError("mqtt:\n  epoll: \"yes\"\n")).isEqualTo(
                "invalid configuration: mqtt.epoll: expected true or false, got string \"yes\" (from file " + file + ")");
        assertThat(envError("TRIBUTARY_AUTH_ALLOW_ANONYMOUS", "1")).isEqualTo(
                "invalid configuration: auth.allow-anonymous: '1' is not a boolean (true or false)"
                        + " (from environment TRIBUTARY_AUTH_ALLOW_ANONYMOUS)");
        assertThat(fileError("mqtt:\n  host: true\n")).isEqualTo(
                "invalid configuration: mqtt.host: expected a string, got true (from file " + file + ")");
        assertThat(fileError("mqtt: 1883\n")).isEqualTo(
                "invalid configuration: mqtt: expected a section of settings, got 1883 (from file " + file + ")");
        assertThat(fileError("kafka:\n  producer:\n    acks: [all]\n")).isEqualTo(
                "invalid configuration: kafka.producer.acks: expected a string, number or boolean, got a list"
                        + " (from file " + file + ")");
        assertThat(fileError("mqtt:\n  host:\n")).isEqualTo(
                "invalid configuration: mqtt.host: needs a value (from file " + file + ")");
        assertThat(fileError("mapping:\n  filter: a\n")).isEqualTo(
                "invalid configuration: mapping: expected a list of rules, got a section (from file " + file + ")");
        assertThat(fileError("- a\n")).isEqualTo(
                "invalid configuration: the top level of file " + file + " must be a mapping of settings, got a list");
    }

    // ---- out of range -----------------------------------------------------------------------------------------

    @Test
    void outOfRange() throws IOException {
        assertThat(envError("TRIBUTARY_MQTT_PORT", "70000")).isEqualTo(
                "invalid configuration: mqtt.port: 70000 is out of range 0..65535 (from environment TRIBUTARY_MQTT_PORT)");
        assertThat(fileError("mqtt:\n  max-packet-size: 63\n")).isEqualTo(
                "invalid configuration: mqtt.max-packet-size: 63 is out of range 64..268435455 (from file " + file + ")");
        assertThat(argsError("--set", "mqtt.receive-maximum=0")).isEqualTo(
                "invalid configuration: mqtt.receive-maximum: 0 is out of range 1..65535"
                        + " (from flag --set mqtt.receive-maximum)");
        assertThat(argsError("--set", "kafka.max-inflight-bytes=0")).isEqualTo(
                "invalid configuration: kafka.max-inflight-bytes: 0 is out of range (must be >= 1)"
                        + " (from flag --set kafka.max-inflight-bytes)");
        assertThat(argsError("--set", "kafka.topics.replication-factor=0")).isEqualTo(
                "invalid configuration: kafka.topics.replication-factor: 0 is out of range (must be -1 or 1..32767)"
                        + " (from flag --set kafka.topics.replication-factor)");
        assertThat(fileError("kafka:\n  max-inflight-bytes: 99999999999999999999\n")).isEqualTo(
                "invalid configuration: kafka.max-inflight-bytes: 99999999999999999999 is out of range (must be >= 1)"
                        + " (from file " + file + ")");
        assertThat(argsError("--embedded-kafka-port", "0")).isEqualTo(
                "invalid configuration: kafka.embedded.port: 0 is out of range 1..65535 (from flag --embedded-kafka-port)");
    }

    @Test
    void invalidStrings() {
        assertThat(argsError("--node-id", "node 1")).isEqualTo(
                "invalid configuration: node-id: 'node 1' is not a valid node id (1 to 64 of A-Z a-z 0-9 . _ -)"
                        + " (from flag --node-id)");
        assertThat(argsError("--node-id", "")).isEqualTo(
                "invalid configuration: node-id: must not be empty (from flag --node-id)");
        assertThat(envError("TRIBUTARY_KAFKA_TOPICS_MESSAGES", "a b")).isEqualTo(
                "invalid configuration: kafka.topics.messages: 'a b' is not a valid Kafka topic name"
                        + " (1 to 249 of a-z A-Z 0-9 . _ -, not . or ..) (from environment TRIBUTARY_KAFKA_TOPICS_MESSAGES)");
        assertThat(argsError("--set", "kafka.topics.retained=..")).contains("'..' is not a valid Kafka topic name");
    }

    @Test
    void crossChecks() throws IOException {
        assertThat(argsError("--set", "kafka.embedded.controller-port=9092")).isEqualTo(
                "invalid configuration: kafka.embedded.controller-port: must differ from kafka.embedded.port (9092)"
                        + " (from flag --set kafka.embedded.controller-port)");
        assertThat(fileError("mapping:\n  - filter: a/#\n    kafka-topic: mqtt.sessions\n")).isEqualTo(
                "invalid configuration: mapping[0].kafka-topic: 'mqtt.sessions' is a state topic"
                        + " (kafka.topics.sessions); messages cannot go there (from file " + file + ")");
    }

    // ---- durations --------------------------------------------------------------------------------------------

    @Test
    void badDurations() throws IOException {
        assertThat(fileError("mqtt:\n  connect-timeout: 10\n")).isEqualTo(
                "invalid configuration: mqtt.connect-timeout: 10 has no unit (write e.g. 500ms, 10s, 2m, 1h or PT10S)"
                        + " (from file " + file + ")");
        assertThat(envError("TRIBUTARY_MQTT_CONNECT_TIMEOUT", "10 seconds")).isEqualTo(
                "invalid configuration: mqtt.connect-timeout: '10 seconds' is not a duration"
                        + " (write e.g. 500ms, 10s, 2m, 1h or PT10S) (from environment TRIBUTARY_MQTT_CONNECT_TIMEOUT)");
        assertThat(argsError("--set", "mqtt.connect-timeout=0s")).isEqualTo(
                "invalid configuration: mqtt.connect-timeout: '0s' must be longer than zero"
                        + " (from flag --set mqtt.connect-timeout)");
        assertThat(argsError("--set", "mqtt.connect-timeout=PT-5S")).contains("'PT-5S' must be longer than zero");
    }

    // ---- mapping rules ----------------------------------------------------------------------------------------

    @Test
    void badFilter() throws IOException {
        assertThat(fileError("mapping:\n  - filter: a/#/b\n    kafka-topic: t\n")).isEqualTo(
                "invalid configuration: mapping[0].filter: invalid topic filter 'a/#/b': '#' must be the last character"
                        + " (from file " + file + ")");
        assertThat(fileError("mapping:\n  - filter: a/#\n    kafka-topic: t\n  - filter: a+\n    kafka-topic: t\n"))
                .isEqualTo("invalid configuration: mapping[1].filter: invalid topic filter 'a+': '+' must occupy a whole"
                        + " level (from file " + file + ")");
        assertThat(fileError("mapping:\n  - kafka-topic: t\n")).isEqualTo(
                "invalid configuration: mapping[0].filter: is required (from file " + file + ")");
    }

    @Test
    void badKafkaTopic() throws IOException {
        assertThat(fileError("mapping:\n  - filter: a/#\n    kafka-topic: tele/metry\n")).isEqualTo(
                "invalid configuration: mapping[0].kafka-topic: 'tele/metry' is not a valid Kafka topic name"
                        + " (1 to 249 of a-z A-Z 0-9 . _ -, not . or ..) (from file " + file + ")");
        assertThat(fileError("mapping:\n  - filter: a/#\n")).isEqualTo(
                "invalid configuration: mapping[0].kafka-topic: is required (from file " + file + ")");
    }

    @Test
    void badKeyStrategy() throws IOException {
        assertThat(fileError("mapping:\n  - filter: a/#\n    kafka-topic: t\n    key: level:x\n")).isEqualTo(
                "invalid configuration: mapping[0].key: invalid key 'level:x': expected topic, client-id, none"
                        + " or level:N (N >= 0) (from file " + file + ")");
    }

    // ---- the file itself --------------------------------------------------------------------------------------

    @Test
    void missingConfigFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertThat(argsError("--config", missing.toString())).isEqualTo(
                "invalid configuration: configuration file " + missing + " does not exist (from flag --config)");
        assertThat(argsError("--config", dir.toString())).isEqualTo(
                "invalid configuration: configuration file " + dir + " is not a regular file (from flag --config)");
    }

    @Test
    void malformedYamlIsReportedWithItsLocation() throws IOException {
        assertThat(fileError("mqtt:\n  port: [1\n")).startsWith(
                "invalid configuration: file " + file + " is not valid YAML at line ");
        assertThat(fileError("mqtt:\n  port: 1\n  port: 2\n")).isEqualTo(
                "invalid configuration: file " + file + " is not valid YAML at line 3, column 9: duplicate key 'port'");
        assertThat(fileError("mqtt:\n port: 1\n  host: x\n")).isEqualTo(
                "invalid configuration: file " + file + " is not valid YAML at line 3, column 7:"
                        + " mapping values are not allowed here");
    }

    @Test
    void printConfigDoesNotHideErrors() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--print-config", "--mqtt-port", "x"}, Map.of(),
                new PrintWriter(new StringWriter())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mqtt.port");
    }

    @Test
    void plainLoadRefusesInformationalOptions() {
        assertThat(argsError("--print-config")).contains("--print-config");
    }

    private String fileError(String yaml) throws IOException {
        file = Files.createTempFile(dir, "tributary", ".yaml");
        Files.writeString(file, yaml);
        return argsError("--config", file.toString());
    }

    private static String envError(String name, String value) {
        return error(new String[0], Map.of(name, value));
    }

    private static String argsError(String... args) {
        return error(args, Map.of());
    }

    private static String error(String[] args, Map<String, String> env) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(args, env));
        assertThat(thrown).as("expected a ConfigException").isInstanceOf(ConfigException.class);
        return thrown.getMessage();
    }
}
