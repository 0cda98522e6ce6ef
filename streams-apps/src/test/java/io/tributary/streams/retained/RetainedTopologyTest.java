package io.tributary.streams.retained;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.publish.MessageHeaders;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

class RetainedTopologyTest {

    private static final String MESSAGES = "mqtt.messages";
    private static final String OTHER_MESSAGES = "factory.messages";
    private static final String RETAINED = "mqtt.retained";
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> messages;
    private TestInputTopic<byte[], byte[]> otherMessages;
    private TestOutputTopic<byte[], byte[]> retained;

    private void start(RetainedSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, RetainedTopology.applicationId(settings.retainedTopic()));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(RetainedTopology.build(settings), props, START);
        ByteArraySerializer serializer = new ByteArraySerializer();
        messages = driver.createInputTopic(MESSAGES, serializer, serializer);
        if (settings.messageTopics().contains(OTHER_MESSAGES)) {
            otherMessages = driver.createInputTopic(OTHER_MESSAGES, serializer, serializer);
        }
        ByteArrayDeserializer deserializer = new ByteArrayDeserializer();
        retained = driver.createOutputTopic(settings.retainedTopic(), deserializer, deserializer);
    }

    private void start() {
        start(new RetainedSettings(List.of(MESSAGES), RETAINED, Duration.ofSeconds(1)));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- forwarding

    @Test
    void retainedPublishIsForwardedWithItsHeadersTheSourcePositionAndItsTimestamp() {
        start();
        Headers headers = retainedHeaders("home/kitchen/temp");
        headers.add(MessageHeaders.QOS, utf8("1"));
        headers.add(MessageHeaders.CLIENT_ID, utf8("sensor-7"));
        headers.add("unit", utf8("celsius"));

        messages.pipeInput(new TestRecord<>(utf8("home/kitchen/temp"), utf8("21.5"), headers, START.minusSeconds(3)));

        TestRecord<byte[], byte[]> out = retained.readRecord();
        assertThat(str(out.key())).isEqualTo("home/kitchen/temp");
        assertThat(str(out.value())).isEqualTo("21.5");
        assertThat(out.getRecordTime()).isEqualTo(START.minusSeconds(3));
        assertThat(headerMap(out.headers())).containsExactly(
                MessageHeaders.TOPIC + "=home/kitchen/temp",
                MessageHeaders.RETAIN + "=true",
                MessageHeaders.QOS + "=1",
                MessageHeaders.CLIENT_ID + "=sensor-7",
                "unit=celsius",
                MessageHeaders.SOURCE_TOPIC + "=" + MESSAGES,
                MessageHeaders.SOURCE_PARTITION + "=0",
                MessageHeaders.SOURCE_OFFSET + "=0");
        assertThat(retained.isEmpty()).isTrue();
    }

    @Test
    void sourceOffsetIsThePositionOfEachRecordInItsMessageTopic() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("x"), notRetainedHeaders("a"), START));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a"), START));
        messages.pipeInput(new TestRecord<>(utf8("b"), utf8("2"), retainedHeaders("b"), START));

        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).extracting(r -> header(r, MessageHeaders.SOURCE_OFFSET)).containsExactly("1", "2");
    }

    @Test
    void aProducersOwnSourceHeadersAreReplacedNotKept() {
        start();
        Headers headers = retainedHeaders("a");
        headers.add(MessageHeaders.SOURCE_TOPIC, utf8("forged"));
        headers.add(MessageHeaders.SOURCE_OFFSET, utf8("999999"));

        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), headers, START));

        Headers out = retained.readRecord().headers();
        assertThat(values(out, MessageHeaders.SOURCE_TOPIC)).containsExactly(MESSAGES);
        assertThat(values(out, MessageHeaders.SOURCE_OFFSET)).containsExactly("0");
    }

    @Test
    void nonRetainedRecordsAreIgnored() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), notRetainedHeaders("a"), START));
        Headers noRetainHeader = new RecordHeaders();
        noRetainHeader.add(MessageHeaders.TOPIC, utf8("a"));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("2"), noRetainHeader, START));
        Headers oddRetainValue = new RecordHeaders();
        oddRetainValue.add(MessageHeaders.TOPIC, utf8("a"));
        oddRetainValue.add(MessageHeaders.RETAIN, utf8("1"));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("3"), oddRetainValue, START));

        assertThat(retained.isEmpty()).isTrue();
    }

    @Test
    void recordsWithoutAValidMqttTopicAreIgnored() {
        start();
        Headers noTopic = new RecordHeaders();
        noTopic.add(MessageHeaders.RETAIN, utf8("true"));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), noTopic, START));
        for (String invalid : List.of("", "a/+/c", "a/#", "#")) {
            messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders(invalid), START));
        }
        // control: the same record with a valid topic does come out
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("ok"), retainedHeaders("a/b/c"), START));

        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).extracting(r -> str(r.key())).containsExactly("a/b/c");
    }

    @Test
    void emptyPayloadWritesATombstoneWithTheSourceHeaders() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a/b"), utf8("on"), retainedHeaders("a/b"), START));
        Headers deletion = retainedHeaders("a/b");
        deletion.add(MessageHeaders.CLIENT_ID, utf8("c1"));
        messages.pipeInput(new TestRecord<>(utf8("a/b"), new byte[0], deletion, START.plusSeconds(1)));

        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).hasSize(2);
        TestRecord<byte[], byte[]> tombstone = out.get(1);
        assertThat(str(tombstone.key())).isEqualTo("a/b");
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.getRecordTime()).isEqualTo(START.plusSeconds(1));
        assertThat(headerMap(tombstone.headers())).containsExactly(
                MessageHeaders.SOURCE_TOPIC + "=" + MESSAGES,
                MessageHeaders.SOURCE_PARTITION + "=0",
                MessageHeaders.SOURCE_OFFSET + "=1");
    }

    @Test
    void aNullValueDeletesLikeAnEmptyPayload() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), null, retainedHeaders("a"), START));

        TestRecord<byte[], byte[]> out = retained.readRecord();
        assertThat(str(out.key())).isEqualTo("a");
        assertThat(out.value()).isNull();
    }

    @Test
    void readsEveryMessageTopicAndNamesTheOneEachRecordCameFrom() {
        start(new RetainedSettings(List.of(MESSAGES, OTHER_MESSAGES), RETAINED, Duration.ofSeconds(1)));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a"), START));
        otherMessages.pipeInput(new TestRecord<>(utf8("line/1"), utf8("2"), retainedHeaders("line/1"), START));
        otherMessages.pipeInput(new TestRecord<>(utf8("line/2"), utf8("3"), retainedHeaders("line/2"), START));

        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).extracting(r -> str(r.key()) + "@" + header(r, MessageHeaders.SOURCE_TOPIC)
                        + ":" + header(r, MessageHeaders.SOURCE_OFFSET))
                .containsExactly("a@mqtt.messages:0", "line/1@factory.messages:0", "line/2@factory.messages:1");
    }

    @Test
    void aRecordKeyedByClientIdEndsKeyedByItsMqttTopic() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("client-42"), utf8("1"), retainedHeaders("devices/42/state"), START));
        messages.pipeInput(new TestRecord<>(null, utf8("2"), retainedHeaders("devices/43/state"), START));

        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).extracting(r -> str(r.key())).containsExactly("devices/42/state", "devices/43/state");
    }

    @Test
    void writesToTheConfiguredRetainedTopic() {
        start(new RetainedSettings(List.of(MESSAGES), "site.retained", Duration.ofSeconds(1)));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a"), START));

        assertThat(retained.readRecord().value()).isEqualTo(utf8("1"));
        assertThat(driver.producedTopicNames()).doesNotContain(RETAINED);
    }

    // ---- Message Expiry

    @Test
    void anExpiredMessageIsDeletedOnceTheWallClockPassesItsExpiryAndNotBefore() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 5), START));
        assertThat(retained.readRecord().value()).isEqualTo(utf8("1"));

        driver.advanceWallClockTime(Duration.ofMillis(4_500));
        assertThat(retained.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        TestRecord<byte[], byte[]> tombstone = retained.readRecord();
        assertThat(str(tombstone.key())).isEqualTo("a");
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.headers().toArray()).isEmpty();
        assertThat(tombstone.getRecordTime()).isEqualTo(START.plusMillis(5_500));

        // forgotten: no second tombstone
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertThat(retained.isEmpty()).isTrue();
    }

    @Test
    void expiryCountsFromTheRecordsTimestampNotFromWhenItIsProcessed() {
        start();
        // published 8 s before the app sees it, expires 10 s after publication
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 10), START.minusSeconds(8)));
        retained.readRecord();

        driver.advanceWallClockTime(Duration.ofMillis(1_500));
        assertThat(retained.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(retained.readRecord().value()).isNull();
    }

    @Test
    void dueExpiriesAreWrittenEarliestFirstAndOnlyThoseDue() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("c"), utf8("1"), retainedHeaders("c", 9), START));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 2), START));
        messages.pipeInput(new TestRecord<>(utf8("b"), utf8("1"), retainedHeaders("b", 4), START));
        messages.pipeInput(new TestRecord<>(utf8("z"), utf8("1"), retainedHeaders("z"), START));
        retained.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.key()) + "=" + r.value())
                .containsExactly("a=null", "b=null");

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.key()) + "=" + r.value())
                .containsExactly("c=null");
    }

    @Test
    void aNewerPublishCancelsTheOlderOnesExpiry() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("old"), retainedHeaders("a", 2), START));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("new"), retainedHeaders("a"), START.plusSeconds(1)));
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.value())).containsExactly("old", "new");

        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertThat(retained.isEmpty()).isTrue();
    }

    @Test
    void aNewerPublishWithItsOwnExpiryReplacesTheOlderOnes() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("old"), retainedHeaders("a", 2), START));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("new"), retainedHeaders("a", 20), START));
        retained.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertThat(retained.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.key()) + "=" + r.value())
                .containsExactly("a=null");
    }

    @Test
    void aDeletionCancelsTheExpiry() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 2), START));
        messages.pipeInput(new TestRecord<>(utf8("a"), new byte[0], retainedHeaders("a"), START));
        List<TestRecord<byte[], byte[]>> out = retained.readRecordsToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).value()).isNull();

        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertThat(retained.isEmpty()).isTrue();
    }

    @Test
    void theExpiryOfOneTopicLeavesOtherTopicsAlone() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 2), START));
        messages.pipeInput(new TestRecord<>(utf8("b"), utf8("1"), retainedHeaders("b", 2), START));
        // replaces a only
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("2"), retainedHeaders("a"), START));
        retained.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.key()) + "=" + r.value())
                .containsExactly("b=null");
    }

    @Test
    void aMessageWithoutExpiryNeverExpires() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a"), START));
        Headers unusable = retainedHeaders("b");
        unusable.add(MessageHeaders.MESSAGE_EXPIRY, utf8("soon"));
        messages.pipeInput(new TestRecord<>(utf8("b"), utf8("1"), unusable, START));
        // control: one that does expire, so the punctuator demonstrably runs
        messages.pipeInput(new TestRecord<>(utf8("c"), utf8("1"), retainedHeaders("c", 1), START));
        retained.readRecordsToList();

        for (int i = 0; i < 10; i++) {
            driver.advanceWallClockTime(Duration.ofDays(1));
        }
        assertThat(retained.readRecordsToList()).extracting(r -> str(r.key())).containsExactly("c");
    }

    @Test
    void expiryIsCheckedAtTheConfiguredInterval() {
        start(new RetainedSettings(List.of(MESSAGES), RETAINED, Duration.ofSeconds(10)));
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 1), START));
        retained.readRecord();

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(retained.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(retained.readRecord().value()).isNull();
    }

    // ---- shape

    @Test
    void pendingExpiriesAreInPersistentChangeloggedStores() {
        start();
        messages.pipeInput(new TestRecord<>(utf8("a"), utf8("1"), retainedHeaders("a", 60), START));

        KeyValueStore<Bytes, Long> byTopic = driver.getKeyValueStore(RetainedTopology.EXPIRY_BY_TOPIC_STORE);
        KeyValueStore<Bytes, byte[]> schedule = driver.getKeyValueStore(RetainedTopology.EXPIRY_SCHEDULE_STORE);
        assertThat(byTopic.persistent()).isTrue();
        assertThat(schedule.persistent()).isTrue();
        assertThat(byTopic.get(Bytes.wrap(utf8("a")))).isEqualTo(START.plusSeconds(60).toEpochMilli());
        assertThat(schedule.approximateNumEntries()).isEqualTo(1);
        String appId = RetainedTopology.applicationId(RETAINED);
        assertThat(driver.producedTopicNames()).contains(
                appId + "-" + RetainedTopology.EXPIRY_BY_TOPIC_STORE + "-changelog",
                appId + "-" + RetainedTopology.EXPIRY_SCHEDULE_STORE + "-changelog");
    }

    @Test
    void repartitionsThroughANamedTopic() {
        String description = RetainedTopology.build(RetainedSettings.defaults()).describe().toString();

        assertThat(description).contains(RetainedTopology.REPARTITION_NAME + "-repartition");
        assertThat(description).contains("Sub-topology: 1");
    }

    @Test
    void applicationIdNamesTheRetainedTopic() {
        assertThat(RetainedTopology.applicationId("mqtt.retained")).isEqualTo("tributary-retained-mqtt.retained");
        assertThat(RetainedTopology.applicationId("a.retained")).isNotEqualTo(RetainedTopology.applicationId("b.retained"));
    }

    // ---- helpers

    private static Headers retainedHeaders(String topic) {
        Headers headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        headers.add(MessageHeaders.RETAIN, utf8("true"));
        return headers;
    }

    private static Headers retainedHeaders(String topic, long expirySeconds) {
        Headers headers = retainedHeaders(topic);
        headers.add(MessageHeaders.MESSAGE_EXPIRY, utf8(Long.toString(expirySeconds)));
        return headers;
    }

    private static Headers notRetainedHeaders(String topic) {
        Headers headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        headers.add(MessageHeaders.RETAIN, utf8("false"));
        return headers;
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : str(header.value());
    }

    private static List<String> values(Headers headers, String name) {
        List<String> values = new ArrayList<>();
        headers.headers(name).forEach(h -> values.add(str(h.value())));
        return values;
    }

    private static List<String> headerMap(Headers headers) {
        List<String> entries = new ArrayList<>();
        headers.forEach(h -> entries.add(h.key() + "=" + str(h.value())));
        return entries;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
