package io.tributary.streams.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroSerde;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.FieldStats;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.streams.TestDrivers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyticsTopologyTest {

    private static final long MINUTE = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One-minute windows, 10 s grace: a window [s, s+60s) is written once stream time reaches s+70s. */
    private static final AnalyticsSettings SETTINGS = AnalyticsSettings.defaults()
            .withWindow(Duration.ofMinutes(1), Duration.ofSeconds(10));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> messages;
    private TestOutputTopic<String, TopicWindowStats> topicStats;
    private TestOutputTopic<String, DeviceWindowStats> deviceStats;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(AnalyticsSettings settings) {
        driver = TestDrivers.driver(AnalyticsTopology.build(settings), stateDir);
        messages = driver.createInputTopic(settings.messageTopics().get(0), new ByteArraySerializer(),
                new ByteArraySerializer());
        topicStats = driver.createOutputTopic(settings.topicStatsTopic(), new StringDeserializer(),
                new AvroSerde<>(AnalyticsCodecs.TOPIC_WINDOW_STATS).deserializer());
        deviceStats = driver.createOutputTopic(settings.deviceStatsTopic(), new StringDeserializer(),
                new AvroSerde<>(AnalyticsCodecs.DEVICE_WINDOW_STATS).deserializer());
    }

    @Test
    void countsBytesAndRatePerTopicOnceTheWindowCloses() {
        start(SETTINGS);
        publish("sensors/dev-1/temp", "dev-1", "abc", 1_000);
        publish("sensors/dev-1/temp", "dev-1", "abcde", 20_000);
        publish("sensors/dev-2/temp", "dev-2", "x", 59_999);
        assertThat(topicStats.isEmpty()).as("nothing before the window closes").isTrue();

        publish("sensors/dev-1/temp", "dev-1", "late-enough", MINUTE + 10_000); // stream time = end + grace

        Map<String, TopicWindowStats> results = byKey(topicStats.readKeyValuesToList());
        assertThat(results).containsOnlyKeys("sensors/dev-1/temp", "sensors/dev-2/temp");
        TopicWindowStats dev1 = results.get("sensors/dev-1/temp");
        assertThat(dev1.getTopic()).isEqualTo("sensors/dev-1/temp");
        assertThat(dev1.getWindowStart()).isEqualTo(Instant.ofEpochMilli(0));
        assertThat(dev1.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(MINUTE));
        assertThat(dev1.getCount()).isEqualTo(2);
        assertThat(dev1.getBytes()).isEqualTo(8);
        assertThat(dev1.getRatePerSecond()).isCloseTo(2 / 60.0, within(1e-9));
        assertThat(dev1.getFields()).isEmpty();
        assertThat(results.get("sensors/dev-2/temp").getCount()).isEqualTo(1);
    }

    @Test
    void windowIsWrittenWhenStreamTimeReachesItsEndPlusGraceAndNotBefore() {
        start(SETTINGS);
        publish("a/b", null, "1", 0);
        publish("a/b", null, "2", MINUTE + 9_999);
        assertThat(topicStats.isEmpty()).isTrue();
        publish("a/b", null, "3", MINUTE + 10_000);
        assertThat(topicStats.readValuesToList()).extracting(TopicWindowStats::getCount).containsExactly(1L);
    }

    @Test
    void aRecordAtTheEndOfAWindowBelongsToTheNext() {
        start(SETTINGS);
        publish("a/b", null, "first", MINUTE - 1);
        publish("a/b", null, "second", MINUTE);
        publish("a/b", null, "third", 2 * MINUTE - 1);
        publish("a/b", null, "closer", 3 * MINUTE + 10_000);

        List<TopicWindowStats> results = topicStats.readValuesToList();
        assertThat(results).extracting(w -> w.getWindowStart().toEpochMilli(), TopicWindowStats::getCount)
                .containsExactly(tuple(0L, 1L),
                        tuple(MINUTE, 2L));
    }

    @Test
    void lateRecordWithinGraceIsCounted() {
        start(SETTINGS);
        publish("a/b", null, "1", 10_000);
        publish("a/b", null, "2", MINUTE + 5_000);   // stream time into the next window
        publish("a/b", null, "late", 50_000);       // late, but its window ends + grace after stream time
        publish("a/b", null, "3", MINUTE + 10_000);

        List<TopicWindowStats> results = topicStats.readValuesToList();
        assertThat(results).hasSize(1);
        assertThat(results.get(0).getWindowStart().toEpochMilli()).isZero();
        assertThat(results.get(0).getCount()).isEqualTo(2);
        assertThat(results.get(0).getBytes()).isEqualTo(5);
    }

    @Test
    void lateRecordBeyondGraceIsDropped() {
        start(SETTINGS);
        publish("a/b", null, "1", 10_000);
        publish("a/b", null, "2", MINUTE + 10_000);
        assertThat(topicStats.readValuesToList()).extracting(TopicWindowStats::getCount).containsExactly(1L);

        publish("a/b", null, "too late", 30_000);
        publish("a/b", null, "4", 2 * MINUTE + 10_000);

        // the closed window is not written again, and the late record is in no window
        List<TopicWindowStats> results = topicStats.readValuesToList();
        assertThat(results).extracting(w -> w.getWindowStart().toEpochMilli()).containsExactly(MINUTE);
        assertThat(results.get(0).getCount()).isEqualTo(1);
    }

    @Test
    void summarisesNumericJsonFieldsIncludingNestedOnes() {
        start(SETTINGS.withFields("temperature", "env.humidity"));
        publish("sensors/dev-1/env", "dev-1", "{\"temperature\": 21.5, \"env\": {\"humidity\": 40}}", 1_000);
        publish("sensors/dev-1/env", "dev-1", "{\"temperature\": 19, \"env\": {\"humidity\": 50}}", 2_000);
        publish("sensors/dev-1/env", "dev-1", " {\"temperature\": 25.5}", 3_000); // humidity missing
        closeFirstWindow();

        TopicWindowStats stats = byKey(topicStats.readKeyValuesToList()).get("sensors/dev-1/env");
        assertThat(stats.getCount()).isEqualTo(3);
        assertThat(stats.getFields()).extracting(FieldStats::getPath).containsExactly("temperature", "env.humidity");
        assertField(stats.getFields().get(0), "temperature", 3, 19, 25.5, (21.5 + 19 + 25.5) / 3, 25.5);
        assertField(stats.getFields().get(1), "env.humidity", 2, 40, 50, 45, 50);
    }

    @Test
    void missingAndNonNumericFieldsAndNonJsonPayloadsCountOnlyInCountAndBytes() {
        start(SETTINGS.withFields("temperature", "env.humidity"));
        String[] payloads = {
            "{\"temperature\": \"hot\", \"env\": {\"humidity\": true}}", // strings and booleans are no numbers
            "{\"temperature\": null, \"env\": 42}",                      // env is no object
            "{\"temperature\": {\"value\": 1}, \"env\": {\"humidity\": [1, 2]}}",
            "{\"other\": 1}",
            "[{\"temperature\": 1}]",                                   // not an object at the root
            "{\"temperature\": 1",                                      // malformed JSON
            "21.5",                                                      // plain text
        };
        long t = 1_000;
        int bytes = 0;
        for (String payload : payloads) {
            publish("plant/line-1/meter", null, payload, t++);
            bytes += payload.getBytes(StandardCharsets.UTF_8).length;
        }
        publishBytes("plant/line-1/meter", new byte[] {(byte) 0xFF, 0x00, 0x7B}, t++); // binary
        publish("plant/line-1/meter", null, "{\"temperature\": 7}", t);
        closeFirstWindow();

        TopicWindowStats stats = byKey(topicStats.readKeyValuesToList()).get("plant/line-1/meter");
        assertThat(stats.getCount()).isEqualTo(payloads.length + 2);
        assertThat(stats.getBytes()).isEqualTo(bytes + 3 + "{\"temperature\": 7}".length());
        assertThat(stats.getFields()).hasSize(1);
        assertField(stats.getFields().get(0), "temperature", 1, 7, 7, 7, 7);
    }

    @Test
    void lastIsTheValueWithTheLatestTimestampNotTheLastRead() {
        start(SETTINGS.withFields("v"));
        publish("a/b", null, "{\"v\": 1}", 5_000);
        publish("a/b", null, "{\"v\": 2}", 30_000);
        publish("a/b", null, "{\"v\": 3}", 10_000); // out of order within the window
        closeFirstWindow();

        FieldStats v = byKey(topicStats.readKeyValuesToList()).get("a/b").getFields().get(0);
        assertField(v, "v", 3, 1, 3, 2, 2);
    }

    @Test
    void deviceFromTopicLevelGathersAllTopicsOfTheDevice() {
        start(SETTINGS.withDevice(new DeviceSource.TopicLevel(1)).withFields("value"));
        publish("sensors/dev-1/temp", "client-a", "{\"value\": 20}", 1_000);
        publish("sensors/dev-1/humidity", "client-b", "{\"value\": 60}", 2_000);
        publish("sensors/dev-2/temp", "client-a", "{\"value\": 30}", 3_000);
        publish("status", "client-a", "{\"value\": 1}", 4_000); // no level 1: no device
        closeFirstWindow();

        Map<String, DeviceWindowStats> devices = byKey(deviceStats.readKeyValuesToList());
        assertThat(devices).containsOnlyKeys("dev-1", "dev-2");
        DeviceWindowStats dev1 = devices.get("dev-1");
        assertThat(dev1.getDevice()).isEqualTo("dev-1");
        assertThat(dev1.getCount()).isEqualTo(2);
        assertThat(dev1.getWindowEnd().toEpochMilli()).isEqualTo(MINUTE);
        assertField(dev1.getFields().get(0), "value", 2, 20, 60, 40, 60);
        assertThat(devices.get("dev-2").getCount()).isEqualTo(1);
        // the topics are counted all the same
        assertThat(byKey(topicStats.readKeyValuesToList())).containsKey("status");
    }

    @Test
    void deviceFromClientIdHeader() {
        start(SETTINGS.withDevice(new DeviceSource.ClientId()));
        publish("sensors/dev-1/temp", "client-a", "1", 1_000);
        publish("sensors/dev-2/temp", "client-a", "22", 2_000);
        publish("sensors/dev-1/temp", "client-b", "333", 3_000);
        publish("sensors/dev-1/temp", null, "4444", 4_000); // another producer's record: no client id
        closeFirstWindow();

        Map<String, DeviceWindowStats> devices = byKey(deviceStats.readKeyValuesToList());
        assertThat(devices).containsOnlyKeys("client-a", "client-b");
        assertThat(devices.get("client-a").getCount()).isEqualTo(2);
        assertThat(devices.get("client-a").getBytes()).isEqualTo(3);
        assertThat(devices.get("client-b").getBytes()).isEqualTo(3);
    }

    @Test
    void topicComesFromTheHeaderElseFromTheKey() {
        start(SETTINGS);
        // a mapping rule keyed this record by client id: the header names the topic
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8("devices/d42/temp"));
        messages.pipeInput(new TestRecord<>(utf8("d42"), utf8("1"), headers, Instant.ofEpochMilli(1_000)));
        // another producer's record without headers: the key is the topic
        messages.pipeInput(new TestRecord<>(utf8("devices/d43/temp"), utf8("22"), new RecordHeaders(),
                Instant.ofEpochMilli(2_000)));
        closeFirstWindow();

        assertThat(byKey(topicStats.readKeyValuesToList())).containsOnlyKeys("devices/d42/temp",
                "devices/d43/temp");
        assertThat(byKey(deviceStats.readKeyValuesToList())).containsOnlyKeys("d42", "d43");
    }

    @Test
    void skipsDollarTopicsRecordsWithoutTopicAndTombstones() {
        start(SETTINGS);
        publish("$SYS/broker/load", "broker", "1", 1_000);
        publish("$analytics/dev-1/temp", null, "{}", 1_000);
        messages.pipeInput(new TestRecord<>(null, utf8("no topic"), new RecordHeaders(),
                Instant.ofEpochMilli(1_500)));
        messages.pipeInput(new TestRecord<>(utf8("a/+/c"), utf8("wildcard key"), new RecordHeaders(),
                Instant.ofEpochMilli(1_600)));
        RecordHeaders tombstone = new RecordHeaders();
        tombstone.add(MessageHeaders.TOPIC, utf8("a/b"));
        messages.pipeInput(new TestRecord<>(utf8("a/b"), null, tombstone, Instant.ofEpochMilli(1_700)));
        publish("a/b", null, "counted", 2_000);
        closeFirstWindow();

        Map<String, TopicWindowStats> results = byKey(topicStats.readKeyValuesToList());
        assertThat(results).containsOnlyKeys("a/b");
        assertThat(results.get("a/b").getCount()).isEqualTo(1);
    }

    @Test
    void resultsCarryNoneOfTheMessageHeaders() {
        start(SETTINGS);
        publish("sensors/dev-1/temp", "dev-1", "1", 1_000);
        closeFirstWindow();

        List<TestRecord<String, TopicWindowStats>> topics = topicStats.readRecordsToList();
        List<TestRecord<String, DeviceWindowStats>> devices = deviceStats.readRecordsToList();
        assertThat(topics).isNotEmpty();
        assertThat(devices).isNotEmpty();
        topics.forEach(r -> assertThat(r.headers().toArray()).isEmpty());
        devices.forEach(r -> assertThat(r.headers().toArray()).isEmpty());
    }

    @Test
    void readsEveryMessageTopic() {
        start(SETTINGS.withMessageTopics("mqtt.messages", "factory-telemetry"));
        TestInputTopic<byte[], byte[]> other = driver.createInputTopic("factory-telemetry",
                new ByteArraySerializer(), new ByteArraySerializer());
        publish("a/b", null, "1", 1_000);
        other.pipeInput(new TestRecord<>(utf8("a/b"), utf8("22"), new RecordHeaders(), Instant.ofEpochMilli(2_000)));
        publish("a/b", null, "x", MINUTE + 10_000);

        TopicWindowStats stats = topicStats.readValuesToList().get(0);
        assertThat(stats.getCount()).isEqualTo(2);
        assertThat(stats.getBytes()).isEqualTo(3);
    }

    @Test
    void publishBackWritesRetainedJsonPerDeviceAndFieldThatTheAppItselfSkips() throws Exception {
        start(SETTINGS.withFields("temperature", "env.humidity", "absent").withPublishBack(true));
        TestOutputTopic<byte[], byte[]> published = driver.createOutputTopic("mqtt.messages",
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        publish("sensors/dev-1/env", "c1", "{\"temperature\": 20, \"env\": {\"humidity\": 40}}", 1_000);
        publish("sensors/dev-1/env", "c1", "{\"temperature\": 22, \"env\": {\"humidity\": 44}}", 2_000);
        publish("sensors/dev-1/env", "c1", "x", MINUTE + 10_000);
        List<TestRecord<byte[], byte[]>> out = published.readRecordsToList();

        assertThat(out).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("$analytics/dev-1/temperature", "$analytics/dev-1/env.humidity");
        TestRecord<byte[], byte[]> temperature = out.get(0);
        assertThat(headers(temperature)).containsExactly(
                Map.entry(MessageHeaders.TOPIC, "$analytics/dev-1/temperature"),
                Map.entry(MessageHeaders.QOS, "1"),
                Map.entry(MessageHeaders.RETAIN, "true"),
                Map.entry(MessageHeaders.CONTENT_TYPE, "application/json"),
                Map.entry(MessageHeaders.PAYLOAD_FORMAT, "1"));
        JsonNode json = JSON.readTree(temperature.value());
        assertThat(json.get("windowStart").asLong()).isZero();
        assertThat(json.get("windowEnd").asLong()).isEqualTo(MINUTE);
        assertThat(json.get("count").asLong()).isEqualTo(2);
        assertThat(json.get("min").asDouble()).isEqualTo(20);
        assertThat(json.get("max").asDouble()).isEqualTo(22);
        assertThat(json.get("mean").asDouble()).isEqualTo(21);
        assertThat(json.get("last").asDouble()).isEqualTo(22);
        assertThat(JSON.readTree(out.get(1).value()).get("mean")
                .asDouble()).isEqualTo(42);

        // in Kafka the published records are input of the app again (the driver does not loop them): skipped
        for (TestRecord<byte[], byte[]> record : out) {
            messages.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(),
                    Instant.ofEpochMilli(MINUTE + 20_000)));
        }
        publish("sensors/dev-1/env", "c1", "y", 2 * MINUTE + 10_000);
        assertThat(topicStats.readKeyValuesToList()).extracting(kv -> kv.key)
                .doesNotContain("$analytics/dev-1/temperature", "$analytics/dev-1/env.humidity")
                .contains("sensors/dev-1/env");
        List<DeviceWindowStats> dev1 = deviceStats.readValuesToList();
        assertThat(dev1).extracting(d -> d.getWindowStart().toEpochMilli(), DeviceWindowStats::getCount)
                .containsExactly(tuple(0L, 2L),
                        tuple(MINUTE, 1L));
    }

    @Test
    void publishBackSkipsDevicesThatCannotBeATopicLevel() {
        start(SETTINGS.withDevice(new DeviceSource.ClientId()).withFields("v").withPublishBack(true));
        TestOutputTopic<byte[], byte[]> published = driver.createOutputTopic("mqtt.messages",
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        publish("a/b", "site/7", "{\"v\": 1}", 1_000);
        publish("a/b", "ok", "{\"v\": 1}", 1_000);
        publish("a/b", "ok", "x", MINUTE + 10_000);

        assertThat(published.readRecordsToList()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("$analytics/ok/v");
        assertThat(byKey(deviceStats.readKeyValuesToList())).containsKeys("site/7", "ok");
    }

    @Test
    void noPublishBackUnlessEnabled() {
        start(SETTINGS.withFields("v"));
        TestOutputTopic<byte[], byte[]> published = driver.createOutputTopic("mqtt.messages",
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        publish("a/dev/c", "c", "{\"v\": 1}", 1_000);
        publish("a/dev/c", "c", "x", MINUTE + 10_000);
        assertThat(deviceStats.readValuesToList()).hasSize(1);
        assertThat(published.isEmpty()).isTrue();
    }

    @Test
    void resultTopicNamesFollowThePrefix() {
        AnalyticsSettings settings = SETTINGS.withTopicPrefix("plant1.");
        assertThat(settings.topicStatsTopic()).isEqualTo("plant1.analytics.topics");
        assertThat(settings.deviceStatsTopic()).isEqualTo("plant1.analytics.devices");
        assertThat(AnalyticsTopology.build(settings).describe().toString())
                .contains("(topic: plant1.analytics.topics)", "(topic: plant1.analytics.devices)");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A record as the broker writes it: key and mqtt.topic the topic, mqtt.client.id the publisher. */
    private void publish(String topic, String clientId, String payload, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        headers.add(MessageHeaders.QOS, utf8("1"));
        headers.add(MessageHeaders.RETAIN, utf8("false"));
        if (clientId != null) {
            headers.add(MessageHeaders.CLIENT_ID, utf8(clientId));
        }
        messages.pipeInput(new TestRecord<>(utf8(topic), utf8(payload), headers, Instant.ofEpochMilli(timestamp)));
    }

    private void publishBytes(String topic, byte[] payload, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        messages.pipeInput(new TestRecord<>(utf8(topic), payload, headers, Instant.ofEpochMilli(timestamp)));
    }

    /**
     * Moves stream time to the end + grace of the first window, on a topic and device of its own (in the second
     * window, which stays open).
     */
    private void closeFirstWindow() {
        publish("zz/closer", "closer", "-", MINUTE + 10_000);
    }

    private static <V> Map<String, V> byKey(List<KeyValue<String, V>> records) {
        Map<String, V> map = new LinkedHashMap<>();
        for (var kv : records) {
            assertThat(map).as("one result per key and window").doesNotContainKey(kv.key);
            map.put(kv.key, kv.value);
        }
        return map;
    }

    private static List<Map.Entry<String, String>> headers(TestRecord<byte[], byte[]> record) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        for (Header h : record.headers()) {
            list.add(Map.entry(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        }
        return list;
    }

    private static void assertField(FieldStats field, String path, long count, double min, double max, double mean,
            double last) {
        assertThat(field.getPath()).isEqualTo(path);
        assertThat(field.getCount()).as(path + " count").isEqualTo(count);
        assertThat(field.getMin()).as(path + " min").isEqualTo(min);
        assertThat(field.getMax()).as(path + " max").isEqualTo(max);
        assertThat(field.getMean()).as(path + " mean").isCloseTo(mean, within(1e-9));
        assertThat(field.getLast()).as(path + " last").isEqualTo(last);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
