package io.tributary.streams.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.AppliedOffset;
import io.tributary.schemas.routing.ClientSubscriptions;
import io.tributary.schemas.routing.RouteWatermark;
import io.tributary.schemas.routing.SourceOffset;
import io.tributary.streams.StreamsRunner;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

class FanoutTopologyTest {

    private static final String MESSAGES = "mqtt.messages";
    private static final String COMMANDS = "factory.commands";
    private static final String SUBSCRIPTIONS = "mqtt.subscriptions";
    private static final String DELIVERIES = "mqtt.deliveries";
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration IDLE = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> subscriptions;
    private TestInputTopic<byte[], byte[]> messages;
    private TestInputTopic<byte[], byte[]> commands;
    private TestOutputTopic<byte[], byte[]> deliveries;
    /** Wall-clock time of the driver. */
    private Instant now = START;

    private void start(FanoutSettings settings) {
        Properties props = new Properties();
        props.putAll(StreamsRunner.config(FanoutTopology.applicationId(settings.deliveriesTopic()),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092"), stateDir));
        driver = new TopologyTestDriver(FanoutTopology.build(settings), props, START);
        subscriptions = driver.createInputTopic(SUBSCRIPTIONS, new StringSerializer(), new ByteArraySerializer());
        messages = driver.createInputTopic(MESSAGES, new ByteArraySerializer(), new ByteArraySerializer());
        if (settings.messageTopics().contains(COMMANDS)) {
            commands = driver.createInputTopic(COMMANDS, new ByteArraySerializer(), new ByteArraySerializer());
        }
        deliveries = driver.createOutputTopic(DELIVERIES, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void start() {
        start(new FanoutSettings(List.of(MESSAGES), SUBSCRIPTIONS, DELIVERIES, List.of(), 1, INTERVAL, IDLE));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- routing

    @Test
    void aMessageGoesToTheNodeOfAClientSubscribedToItsTopicWithPayloadAndTimestamp() {
        start();
        subscribe("sensor-reader", "node-a", 1, "home/kitchen/temp");

        publish("home/kitchen/temp", "21.5", START.minusSeconds(3));

        List<TestRecord<byte[], byte[]>> out = readDeliveries();
        assertThat(out).hasSize(1);
        assertThat(str(out.get(0).key())).isEqualTo("node-a");
        assertThat(str(out.get(0).value())).isEqualTo("21.5");
        assertThat(out.get(0).getRecordTime()).isEqualTo(START.minusSeconds(3));
    }

    @Test
    void wildcardFiltersMatchAsMqttSays() {
        start();
        subscribe("c1", "node-a", 1, "home/+/temp");
        subscribe("c2", "node-b", 1, "home/#");
        subscribe("c3", "node-c", 1, "office/#");
        subscribe("c4", "node-d", 1, "+/+");

        assertThat(nodesFor("home/kitchen/temp")).containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(nodesFor("home")).containsExactly("node-b"); // "home/#" matches its parent level
        assertThat(nodesFor("home/kitchen")).containsExactlyInAnyOrder("node-b", "node-d");
        assertThat(nodesFor("office/x/y")).containsExactly("node-c");
        assertThat(nodesFor("home/kitchen/temp/raw")).containsExactly("node-b");
    }

    @Test
    void topicsStartingWithDollarAreNotMatchedByLeadingWildcards() {
        start();
        subscribe("c1", "node-a", 1, "#");
        subscribe("c2", "node-b", 1, "+/status");
        subscribe("c3", "node-c", 1, "$SYS/#");

        assertThat(nodesFor("$SYS/status")).containsExactly("node-c"); // MQTT-4.7.2-1
        assertThat(nodesFor("broker/status")).containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void aNodeGetsOneCopyHoweverManyOfItsClientsMatch() {
        start();
        subscribe("c1", "node-a", 1, "a/b", "a/#");
        subscribe("c2", "node-a", 1, "a/+");
        subscribe("c3", "node-a", 1, "#");
        subscribe("c4", "node-b", 1, "a/b");

        publish("a/b", "x", START);

        assertThat(readDeliveries()).extracting(r -> str(r.key())).containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void nothingGoesToOfflineClientsOrForUnmatchedTopics() {
        start();
        subscribe("offline", null, 1, "a/#");
        subscribe("online", "node-a", 1, "b/#");

        publish("a/b", "x", START);
        publish("c/d", "y", START);

        assertThat(readDeliveries()).isEmpty();
    }

    @Test
    void aClientThatGoesOfflineGetsNothingMore() {
        start();
        subscribe("c1", "node-a", 1, "a/#");
        subscribe("c1", null, 1, "a/#"); // disconnected, session kept

        assertThat(nodesFor("a/b")).isEmpty();
    }

    @Test
    void anUpdateOfALowerEpochIsIgnored() {
        start();
        subscribe("c1", "node-a", 5, "x");
        subscribe("c1", "node-b", 4, "x", "y"); // the old connection's late write after a takeover

        assertThat(nodesFor("x")).containsExactly("node-a");
        assertThat(nodesFor("y")).isEmpty();
        assertThat(storedEpoch("c1")).isEqualTo(5);

        subscribe("c1", "node-b", 6, "y");

        assertThat(nodesFor("x")).isEmpty();
        assertThat(nodesFor("y")).containsExactly("node-b");
    }

    @Test
    void anUpdateOfTheSameEpochReplacesTheFilters() {
        start();
        subscribe("c1", "node-a", 3, "x", "y");
        subscribe("c1", "node-a", 3, "y", "z"); // unsubscribed x, subscribed z

        assertThat(nodesFor("x")).isEmpty();
        assertThat(nodesFor("y")).containsExactly("node-a");
        assertThat(nodesFor("z")).containsExactly("node-a");
    }

    @Test
    void aTombstoneRemovesTheClient() {
        start();
        subscribe("c1", "node-a", 7, "x");
        subscribe("c2", "node-b", 1, "x");

        subscriptions.pipeInput("c1", null);

        assertThat(nodesFor("x")).containsExactly("node-b");
        assertThat(store().get("c1")).isNull();
        // the client is gone: a record of any epoch starts it again
        subscribe("c1", "node-c", 1, "x");
        assertThat(nodesFor("x")).containsExactlyInAnyOrder("node-b", "node-c");
    }

    @Test
    void recordsThatAreNotClientSubscriptionsAndInvalidFiltersAreSkipped() {
        start();
        subscriptions.pipeInput("c1", utf8("not avro"));
        subscribe("c2", "node-a", 1, "a/#/b", "ok/+");

        assertThat(nodesFor("ok/1")).containsExactly("node-a");
        assertThat(store().get("c1")).isNull();
    }

    // ---- headers

    @Test
    void aDeliveryHasTheOriginalHeadersAndWhereTheMessageIsInItsTopic() {
        start();
        subscribe("c1", "node-a", 1, "home/+/temp");
        publish("other", "skipped", START); // offset 0
        Headers headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8("home/kitchen/temp"));
        headers.add(MessageHeaders.QOS, utf8("1"));
        headers.add(MessageHeaders.CLIENT_ID, utf8("sensor-7"));
        headers.add("unit", utf8("celsius"));
        // a producer's own: dropped, a node must be able to trust them
        headers.add(MessageHeaders.SOURCE_OFFSET, utf8("999"));
        headers.add(FanoutTopology.CONTROL_HEADER, utf8(FanoutTopology.CONTROL_WATERMARK));

        messages.pipeInput(new TestRecord<>(utf8("home/kitchen/temp"), utf8("21.5"), headers, START));

        List<TestRecord<byte[], byte[]>> out = readDeliveries();
        assertThat(out).hasSize(1);
        assertThat(headerList(out.get(0).headers())).containsExactly(
                MessageHeaders.TOPIC + "=home/kitchen/temp",
                MessageHeaders.QOS + "=1",
                MessageHeaders.CLIENT_ID + "=sensor-7",
                "unit=celsius",
                MessageHeaders.SOURCE_TOPIC + "=" + MESSAGES,
                MessageHeaders.SOURCE_PARTITION + "=0",
                MessageHeaders.SOURCE_OFFSET + "=1");
    }

    @Test
    void aRecordOfAnotherProducerGetsTheMqttTopicOfItsMappingRule() {
        start(new FanoutSettings(List.of(MESSAGES, COMMANDS), SUBSCRIPTIONS, DELIVERIES,
                List.of(new MappingRule(TopicFilter.parse("devices/+/commands"), COMMANDS, new KeyStrategy.Topic(),
                        "devices/{key}/commands")),
                1, INTERVAL, IDLE));
        subscribe("d42", "node-a", 1, "devices/d42/commands");
        subscribe("plain", "node-b", 1, "lights/on");
        Headers headers = new RecordHeaders();
        headers.add("origin", utf8("erp"));

        commands.pipeInput(new TestRecord<>(utf8("d42"), utf8("reboot"), headers, START));
        messages.pipeInput(new TestRecord<>(utf8("lights/on"), utf8("1"), new RecordHeaders(), START));

        List<TestRecord<byte[], byte[]>> out = readDeliveries();
        assertThat(out).hasSize(2);
        assertThat(str(out.get(0).key())).isEqualTo("node-a");
        assertThat(headerList(out.get(0).headers())).containsExactly(
                "origin=erp",
                MessageHeaders.TOPIC + "=devices/d42/commands",
                MessageHeaders.SOURCE_TOPIC + "=" + COMMANDS,
                MessageHeaders.SOURCE_PARTITION + "=0",
                MessageHeaders.SOURCE_OFFSET + "=0");
        // the default message topic: the key is the topic
        assertThat(str(out.get(1).key())).isEqualTo("node-b");
        assertThat(header(out.get(1), MessageHeaders.TOPIC)).isEqualTo("lights/on");
        assertThat(header(out.get(1), MessageHeaders.SOURCE_TOPIC)).isEqualTo(MESSAGES);
    }

    @Test
    void recordsWithoutAValidMqttTopicAndTombstonesAreSkipped() {
        start();
        subscribe("c1", "node-a", 1, "#");
        Headers invalid = new RecordHeaders();
        invalid.add(MessageHeaders.TOPIC, utf8("a/+"));

        messages.pipeInput(new TestRecord<>(utf8("k"), utf8("x"), invalid, START));
        messages.pipeInput(new TestRecord<>(utf8("a/b"), null, new RecordHeaders(), START));
        messages.pipeInput(new TestRecord<>((byte[]) null, utf8("no key, no header"), new RecordHeaders(), START));

        assertThat(readDeliveries()).isEmpty();
        // but they count as processed
        assertThat(nextWatermark().getSources()).containsExactly(new SourceOffset(MESSAGES, 0, 3L));
    }

    // ---- watermarks

    @Test
    void theFirstWatermarkComesAfterOneIntervalEvenWithNothingProcessed() {
        start();

        advance(INTERVAL.minusMillis(1));
        assertThat(deliveries.isEmpty()).isTrue();
        advance(Duration.ofMillis(1));

        TestRecord<byte[], byte[]> record = deliveries.readRecord();
        assertThat(record.key()).isEqualTo(utf8(FanoutTopology.WATERMARK_KEY));
        assertThat(headerList(record.headers())).containsExactly(FanoutTopology.CONTROL_HEADER + "=watermark");
        assertThat(record.getRecordTime()).isEqualTo(START.plus(INTERVAL));
        RouteWatermark watermark = RoutingCodecs.ROUTE_WATERMARK.decode(record.value());
        assertThat(watermark.getTaskPartition()).isZero();
        assertThat(watermark.getSources()).isEmpty();
        assertThat(watermark.getSubscriptionsApplied()).isEmpty();
        assertThat(watermark.getEmittedAt()).isEqualTo(START.plus(INTERVAL));
        assertThat(deliveries.isEmpty()).isTrue();
    }

    @Test
    void aWatermarkFollowsTheDeliveriesItCoversAndListsThePositionsOfEveryMessageTopic() {
        start(new FanoutSettings(List.of(MESSAGES, COMMANDS), SUBSCRIPTIONS, DELIVERIES, List.of(), 1, INTERVAL,
                IDLE));
        subscribe("c1", "node-a", 1, "#");
        publish("a", "1", START);
        publish("b", "2", START);
        commands.pipeInput(new TestRecord<>(utf8("c"), utf8("3"), new RecordHeaders(), START));

        advance(INTERVAL);

        List<TestRecord<byte[], byte[]>> out = deliveries.readRecordsToList();
        assertThat(out).extracting(r -> str(r.key()))
                .containsExactly("node-a", "node-a", "node-a", FanoutTopology.WATERMARK_KEY);
        RouteWatermark watermark = RoutingCodecs.ROUTE_WATERMARK.decode(out.get(3).value());
        assertThat(watermark.getSources()).containsExactly(
                new SourceOffset(COMMANDS, 0, 1L), new SourceOffset(MESSAGES, 0, 2L));
        assertThat(watermark.getSubscriptionsApplied()).containsExactly(new AppliedOffset(0, 0L));
    }

    @Test
    void subscriptionsAppliedAdvancesWithTheSubscriptionsTopic() {
        start();
        subscribe("c1", "node-a", 1, "x"); // offset 0
        RouteWatermark first = nextWatermark();
        assertThat(first.getSubscriptionsApplied()).containsExactly(new AppliedOffset(0, 0L));

        subscribe("c2", "node-b", 1, "x"); // offset 1
        subscribe("c1", "node-c", 0, "x"); // offset 2, ignored (lower epoch) but read

        RouteWatermark second = nextWatermark();
        assertThat(second.getSubscriptionsApplied()).containsExactly(new AppliedOffset(0, 2L));
        assertThat(second.getSources()).isEmpty();
    }

    @Test
    void withoutChangesAWatermarkIsWrittenOnlyEveryIdleInterval() {
        start();
        publish("a", "1", START);
        nextWatermark(); // at START + 100 ms

        for (int i = 0; i < 9; i++) {
            advance(INTERVAL);
        }
        assertThat(deliveries.isEmpty()).as("no watermark before the idle interval").isTrue();

        advance(INTERVAL); // 1 s after the last one
        RouteWatermark idle = RoutingCodecs.ROUTE_WATERMARK.decode(deliveries.readRecord().value());
        assertThat(idle.getSources()).containsExactly(new SourceOffset(MESSAGES, 0, 1L));
        assertThat(idle.getEmittedAt()).isEqualTo(START.plus(INTERVAL).plus(IDLE));
        assertThat(deliveries.isEmpty()).isTrue();
    }

    @Test
    void aProcessedRecordOrASubscriptionChangeBringsTheNextWatermarkAtTheNextInterval() {
        start();
        nextWatermark();

        publish("a", "1", START); // routed nowhere, still a change
        advance(INTERVAL);
        assertThat(readWatermarks()).hasSize(1);

        subscribe("c1", "node-a", 1, "x");
        advance(INTERVAL);
        assertThat(readWatermarks()).hasSize(1);

        advance(INTERVAL);
        assertThat(readWatermarks()).isEmpty();
    }

    // ---- helpers

    private void subscribe(String clientId, String nodeId, long epoch, String... filters) {
        subscriptions.pipeInput(clientId, RoutingCodecs.CLIENT_SUBSCRIPTIONS.encode(
                new ClientSubscriptions(clientId, nodeId, epoch, Arrays.asList(filters))));
    }

    private void publish(String topic, String payload, Instant timestamp) {
        Headers headers = new RecordHeaders();
        headers.add(MessageHeaders.TOPIC, utf8(topic));
        messages.pipeInput(new TestRecord<>(utf8(topic), utf8(payload), headers, timestamp));
    }

    /** The nodes a message published now on {@code topic} goes to. */
    private List<String> nodesFor(String topic) {
        publish(topic, "probe", now);
        return readDeliveries().stream().map(r -> str(r.key())).toList();
    }

    private List<TestRecord<byte[], byte[]>> readDeliveries() {
        List<TestRecord<byte[], byte[]>> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> record : deliveries.readRecordsToList()) {
            assertThat(isWatermark(record)).as("a watermark without advancing the wall clock").isFalse();
            out.add(record);
        }
        return out;
    }

    private List<RouteWatermark> readWatermarks() {
        List<RouteWatermark> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> record : deliveries.readRecordsToList()) {
            if (isWatermark(record)) {
                out.add(RoutingCodecs.ROUTE_WATERMARK.decode(record.value()));
            }
        }
        return out;
    }

    /** Advances the wall clock by one interval and returns the one watermark written then. */
    private RouteWatermark nextWatermark() {
        advance(INTERVAL);
        List<RouteWatermark> watermarks = readWatermarks();
        assertThat(watermarks).hasSize(1);
        return watermarks.get(0);
    }

    private void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        now = now.plus(duration);
    }

    private long storedEpoch(String clientId) {
        return RoutingCodecs.CLIENT_SUBSCRIPTIONS.decode(store().get(clientId)).getEpoch();
    }

    private KeyValueStore<String, byte[]> store() {
        return driver.getKeyValueStore(FanoutTopology.SUBSCRIPTIONS_STORE);
    }

    private static boolean isWatermark(TestRecord<byte[], byte[]> record) {
        return Arrays.equals(record.key(), utf8(FanoutTopology.WATERMARK_KEY));
    }

    private static List<String> headerList(Headers headers) {
        List<String> list = new ArrayList<>();
        for (Header header : headers) {
            list.add(header.key() + "=" + str(header.value()));
        }
        return list;
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : str(header.value());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
