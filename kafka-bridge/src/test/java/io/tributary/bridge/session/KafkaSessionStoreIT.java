package io.tributary.bridge.session;

import static io.tributary.bridge.session.SessionStates.assertSameState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.bridge.EmbeddedKafkaSettings;
import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.TopicSettings;
import io.tributary.bridge.admin.TopicAdministrator;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.testing.SharedKafka;
import io.tributary.schemas.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several stores (as several nodes) on one sessions topic of the shared Kafka: a fresh topic per test. */
class KafkaSessionStoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    /** Quick liveness (still 20 heartbeats), and a handover that a test never reaches by accident. */
    private static final KafkaSessionStore.Timing QUICK = new KafkaSessionStore.Timing(
            Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20));

    private final List<KafkaSessionStore> stores = new ArrayList<>();
    private String topic;

    /** A claim a listener saw. */
    record Claim(String clientId, String nodeId, long epoch, boolean cleanStart) {
    }

    @BeforeEach
    void createTopic() throws Exception {
        topic = "sessions-it-" + TOPICS.incrementAndGet();
        SharedKafka.admin().createTopics(List.of(new NewTopic(topic, 4, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        TopicAdministrator.awaitWritable(SharedKafka.admin(), List.of(topic),
                System.nanoTime() + TIMEOUT.toNanos());
    }

    @AfterEach
    void closeStores() throws Exception {
        stores.forEach(KafkaSessionStore::close);
        SharedKafka.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    }

    private KafkaSettings settings() {
        return new KafkaSettings(SharedKafka.bootstrapServers(),
                new TopicSettings("unused.messages", "unused.retained", topic, "unused.subscriptions", "unused.events", "unused.deliveries", "unused.dead-letter", 4,
                        (short) -1, -1L),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 16 << 20, Map.of(), Map.of(), Map.of());
    }

    private KafkaSessionStore started(String nodeId, KafkaSessionStore.Timing timing, List<Claim> claims) {
        KafkaSessionStore store = new KafkaSessionStore(settings(), nodeId, timing, Clock.systemUTC());
        stores.add(store);
        store.start((clientId, node, epoch, cleanStart) -> claims.add(new Claim(clientId, node, epoch, cleanStart)));
        return store;
    }

    private KafkaSessionStore started(String nodeId, KafkaSessionStore.Timing timing) {
        return started(nodeId, timing, new CopyOnWriteArrayList<>());
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** A state written while connected (no end), with a will. */
    private static SessionState checkpoint(String clientId, String nodeId, long expirySeconds) {
        SessionState full = SessionStates.full(clientId, nodeId, null);
        return new SessionState(clientId, nodeId, expirySeconds, null, full.subscriptions(), full.positions(),
                full.inflight(), full.awaitingRelease(), full.will());
    }

    @Test
    void claimEpochsIncreaseAndEveryStoreSeesTheClaimsMadeAfterItStarted() throws Exception {
        List<Claim> seenByA = new CopyOnWriteArrayList<>();
        List<Claim> seenByB = new CopyOnWriteArrayList<>();
        KafkaSessionStore a = started("node-a", KafkaSessionStore.Timing.DEFAULT, seenByA);
        long before = get(a.claim("early", false));
        KafkaSessionStore b = started("node-b", KafkaSessionStore.Timing.DEFAULT, seenByB);

        long e1 = get(a.claim("dev", true));
        long e2 = get(b.claim("dev", false));
        long e3 = get(a.claim("dev", false));
        assertThat(e1).isGreaterThan(-1).isLessThan(e2);
        assertThat(e2).isLessThan(e3);

        List<Claim> expected = List.of(new Claim("dev", "node-a", e1, true), new Claim("dev", "node-b", e2, false),
                new Claim("dev", "node-a", e3, false));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(seenByB).containsExactlyElementsOf(expected);
            assertThat(seenByA).containsExactly(new Claim("early", "node-a", before, false), expected.get(0),
                    expected.get(1), expected.get(2));
        });
    }

    @Test
    void anotherNodeResumesExactlyTheSavedState() throws Exception {
        KafkaSessionStore a = started("node-a", KafkaSessionStore.Timing.DEFAULT);
        KafkaSessionStore b = started("node-b", KafkaSessionStore.Timing.DEFAULT);

        long e1 = get(a.claim("dev", false));
        assertThat(get(a.resume("dev", e1))).as("nothing stored yet").isNull();
        SessionState release = SessionStates.full("dev", "node-a", System.currentTimeMillis());
        get(a.save(e1, release));

        long e2 = get(b.claim("dev", false));
        assertThat(e2).isGreaterThan(e1);
        assertSameState(get(b.resume("dev", e2)), release);
    }

    @Test
    void aStoreStartedLaterReadsTheTopicFromTheBeginning() throws Exception {
        KafkaSessionStore a = started("node-a", KafkaSessionStore.Timing.DEFAULT);
        long e1 = get(a.claim("dev", false));
        SessionState release = SessionStates.full("dev", "node-a", System.currentTimeMillis());
        get(a.save(e1, release));
        long g1 = get(a.claim("gone", false));
        get(a.save(g1, SessionStates.bare("gone", "node-a", 60, System.currentTimeMillis())));
        a.remove("gone");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, utf8("junk"), utf8("not avro"))).get(30, TimeUnit.SECONDS);
        }
        a.close(); // sends what it has before it returns

        List<Claim> claims = new CopyOnWriteArrayList<>();
        KafkaSessionStore c = started("node-c", KafkaSessionStore.Timing.DEFAULT, claims);
        assertThat(c.recordsSkipped()).isEqualTo(1);
        assertThat(c.offlineSessions()).extracting(o -> o.state().clientId()).containsExactly("dev");
        long e2 = get(c.claim("dev", false));
        assertSameState(get(c.resume("dev", e2)), release);
        long g2 = get(c.claim("gone", false));
        assertThat(get(c.resume("gone", g2))).as("removed by a tombstone").isNull();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(claims).extracting(Claim::clientId)
                .as("claims read while starting are not passed on").containsExactly("dev", "gone"));
    }

    @Test
    void resumeWaitsForTheReleaseOfALivePreviousOwner() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        List<Claim> seenByB = new CopyOnWriteArrayList<>();
        KafkaSessionStore b = started("node-b", QUICK, seenByB);

        long e1 = get(a.claim("dev", false));
        SessionState checkpoint = checkpoint("dev", "node-a", 60);
        get(a.save(e1, checkpoint));
        long e2 = get(b.claim("dev", false));
        CompletableFuture<SessionState> resumed = b.resume("dev", e2).toCompletableFuture();
        await().atMost(TIMEOUT).until(() -> seenByB.stream().anyMatch(c -> c.epoch() == e2));
        assertThat(resumed).as("node-a is live: its connection may still be open").isNotDone();

        // node-a closes its connection and writes the release, after the claim of node-b
        SessionState release = new SessionState("dev", "node-a", 60, System.currentTimeMillis(),
                checkpoint.subscriptions(), Map.of(new PartitionId("mqtt.messages", 0), 99L), List.of(),
                checkpoint.awaitingRelease(), null);
        get(a.save(e1, release));
        assertSameState(resumed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), release);
    }

    @Test
    void resumeTakesTheCheckpointWhenNoReleaseComesInTime() throws Exception {
        KafkaSessionStore.Timing shortHandover = new KafkaSessionStore.Timing(
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(800));
        KafkaSessionStore a = started("node-a", shortHandover);
        KafkaSessionStore b = started("node-b", shortHandover);

        long e1 = get(a.claim("dev", false));
        SessionState checkpoint = checkpoint("dev", "node-a", 60);
        get(a.save(e1, checkpoint));
        long e2 = get(b.claim("dev", false));
        long start = System.nanoTime();
        SessionState resumed = get(b.resume("dev", e2));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertSameState(resumed, checkpoint);
    }

    @Test
    void resumeDoesNotWaitForANodeThatIsNotLive() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        KafkaSessionStore b = started("node-b", QUICK);
        long e1 = get(a.claim("dev", false));
        SessionState checkpoint = checkpoint("dev", "node-a", 60);
        get(a.save(e1, checkpoint));
        await().atMost(TIMEOUT).until(() -> b.isLive("node-a"));
        a.close(); // as if node-a crashed: no release, no heartbeat
        await().atMost(TIMEOUT).until(() -> !b.isLive("node-a"));

        long e2 = get(b.claim("dev", false));
        long start = System.nanoTime();
        assertSameState(get(b.resume("dev", e2)), checkpoint);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK.handoverTimeout());
    }

    @Test
    void aRestartedNodeNeitherWaitsForNorKeepsTheConnectionsOfItsEarlierRun() throws Exception {
        KafkaSessionStore before = started("node-a", QUICK);
        long e1 = get(before.claim("dev", false));
        SessionState checkpoint = checkpoint("dev", "node-a", 60);
        get(before.save(e1, checkpoint));
        before.close(); // a crash: no release
        long lastSeen = lastRecordTimestampOf("node-a");

        KafkaSessionStore after = started("node-a", QUICK); // same node id, a new run
        assertThat(after.offlineSessions()).hasSize(1);
        assertSameState(after.offlineSessions().iterator().next().state(), checkpoint.withEndedAt(lastSeen));
        long e2 = get(after.claim("dev", false));
        long start = System.nanoTime();
        assertSameState(get(after.resume("dev", e2)), checkpoint);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK.handoverTimeout());
    }

    @Test
    void aCleanStartResumesNothing() throws Exception {
        KafkaSessionStore a = started("node-a", KafkaSessionStore.Timing.DEFAULT);
        KafkaSessionStore b = started("node-b", KafkaSessionStore.Timing.DEFAULT);
        long e1 = get(a.claim("dev", false));
        get(a.save(e1, SessionStates.full("dev", "node-a", System.currentTimeMillis())));

        long e2 = get(b.claim("dev", true));
        assertThat(get(b.resume("dev", e2))).isNull();
        assertThat(b.offlineSessions()).as("the clean start dropped the stored session").isEmpty();
    }

    @Test
    void aStaleOwnersLateStateDoesNotReplaceTheNewOwners() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        KafkaSessionStore b = started("node-b", QUICK);
        KafkaSessionStore c = started("node-c", QUICK);

        long e1 = get(a.claim("dev", false));
        SessionState checkpointA = checkpoint("dev", "node-a", 60);
        get(a.save(e1, checkpointA));
        long e2 = get(b.claim("dev", false));
        CompletionStage<SessionState> resumedByB = b.resume("dev", e2);
        SessionState releaseA = SessionStates.bare("dev", "node-a", 60, System.currentTimeMillis());
        get(a.save(e1, releaseA));
        assertSameState(get(resumedByB), releaseA);

        SessionState releaseB = SessionStates.full("dev", "node-b", System.currentTimeMillis());
        get(b.save(e2, releaseB));
        // node-a, which has not noticed that it lost the client, writes once more
        get(a.save(e1, SessionStates.bare("dev", "node-a", 1, System.currentTimeMillis())));

        long e3 = get(c.claim("dev", false));
        assertSameState(get(c.resume("dev", e3)), releaseB);
    }

    @Test
    void clientIdsAreSplitAmongLiveNodesAndMoveToTheSurvivor() {
        KafkaSessionStore a = started("node-a", QUICK);
        KafkaSessionStore b = started("node-b", QUICK);
        await().atMost(TIMEOUT).until(() -> a.isLive("node-b") && b.isLive("node-a"));

        List<String> clientIds = IntStream.range(0, 100).mapToObj(i -> "client-" + i).toList();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<String> ofA = clientIds.stream().filter(a::responsibleFor).toList();
            List<String> ofB = clientIds.stream().filter(b::responsibleFor).toList();
            assertThat(ofA).isNotEmpty().doesNotContainAnyElementsOf(ofB);
            assertThat(ofB).isNotEmpty();
            assertThat(ofA.size() + ofB.size()).isEqualTo(clientIds.size());
        });

        b.close();
        await().atMost(TIMEOUT).until(() -> clientIds.stream().allMatch(a::responsibleFor));
    }

    @Test
    void offlineSessionsAreThoseReleasedAndThoseOfNodesThatDied() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        KafkaSessionStore b = started("node-b", QUICK);

        long r = get(a.claim("released", false));
        SessionState released = SessionStates.full("released", "node-a", System.currentTimeMillis());
        get(a.save(r, released));
        long f = get(a.claim("forever", false));
        get(a.save(f, SessionStates.bare("forever", "node-a", SessionState.NEVER, System.currentTimeMillis())));
        long k = get(a.claim("checkpointed", false));
        SessionState checkpointed = SessionStates.bare("checkpointed", "node-a", 60, null);
        get(a.save(k, checkpointed));
        get(a.claim("clean", true));
        long t = get(a.claim("taken", false));
        get(a.save(t, SessionStates.full("taken", "node-a", System.currentTimeMillis())));
        get(b.claim("taken", false)); // connected to node-b now

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(b.offlineSessions()).extracting(o -> o.state().clientId()).containsExactly("released");
            assertSameState(b.offlineSessions().iterator().next().state(), released);
        });

        a.close(); // node-a dies: its checkpointed session is offline since its last sign of life
        await().atMost(TIMEOUT).until(() -> !b.isLive("node-a"));
        long lastSeen = lastRecordTimestampOf("node-a");
        Collection<SessionState> offline = b.offlineSessions().stream().map(SessionStore.OfflineSession::state)
                .toList();
        assertThat(offline).extracting(SessionState::clientId).containsExactlyInAnyOrder("released", "checkpointed");
        SessionState dead = offline.stream().filter(s -> s.clientId().equals("checkpointed")).findFirst()
                .orElseThrow();
        assertSameState(dead, checkpointed.withEndedAt(lastSeen));
    }

    @Test
    void closingFailsPendingResumesAndIsIdempotent() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        List<Claim> seenByB = new CopyOnWriteArrayList<>();
        KafkaSessionStore b = started("node-b", QUICK, seenByB);
        long e1 = get(a.claim("dev", false));
        get(a.save(e1, checkpoint("dev", "node-a", 60)));
        long e2 = get(b.claim("dev", false));
        CompletableFuture<SessionState> resumed = b.resume("dev", e2).toCompletableFuture();
        await().atMost(TIMEOUT).until(() -> seenByB.stream().anyMatch(c -> c.epoch() == e2));

        b.close();
        b.close();
        assertThatThrownBy(() -> resumed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(b.resume("dev", e2).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void aResumeForAnEpochThatIsNoClaimOfThisNodeFails() throws Exception {
        KafkaSessionStore a = started("node-a", QUICK);
        KafkaSessionStore b = started("node-b", QUICK);
        long e1 = get(a.claim("dev", false));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThatThrownBy(() -> get(b.resume("dev", e1)))
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("no claim of 'dev'"));
    }

    @Test
    void startingOnATopicThatDoesNotExistFailsNamingIt() {
        KafkaSettings missing = new KafkaSettings(SharedKafka.bootstrapServers(),
                new TopicSettings("m", "r", "no-such-sessions", "s", "e", "d", "x", 1, (short) -1, -1L),
                EmbeddedKafkaSettings.defaults(Path.of("unused")), 16 << 20, Map.of(), Map.of(), Map.of());
        try (KafkaSessionStore store = new KafkaSessionStore(missing, "node-x")) {
            assertThatThrownBy(() -> store.start((c, n, e, s) -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no-such-sessions");
        }
    }

    @Test
    void heartbeatsAreWrittenUnderTheirOwnKey() {
        started("node-a", QUICK);
        List<ConsumerRecord<byte[], byte[]>> heartbeats = SharedKafka.read(SharedKafka.bootstrapServers(), topic,
                rec -> new String(rec.key(), StandardCharsets.UTF_8).equals("\u0000node/node-a"), 2, TIMEOUT);
        assertThat(heartbeats).allSatisfy(rec -> {
            assertThat(Records.kindOf(rec.value())).isEqualTo(Records.Kind.NODE_HEARTBEAT);
            assertThat(Records.decodeHeartbeat(rec.value()).getNodeId()).isEqualTo("node-a");
        });
    }

    /** The newest timestamp of a record {@code nodeId} wrote to the sessions topic: when it was last seen. */
    private long lastRecordTimestampOf(String nodeId) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            long last = -1;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertThat(System.nanoTime()).as("read the sessions topic in time").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
                    String writer = switch (Records.kindOf(rec.value())) {
                        case NODE_HEARTBEAT -> Records.decodeHeartbeat(rec.value()).getNodeId();
                        case SESSION -> Records.decodeSession(rec.value()).getNodeId();
                        case UNKNOWN -> null;
                    };
                    if (nodeId.equals(writer)) {
                        last = Math.max(last, rec.timestamp());
                    }
                }
            }
            return last;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
