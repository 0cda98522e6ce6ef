package io.tributary.bridge.session;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.delivery.KafkaMessageFeed;
import io.tributary.schemas.Records;
import io.tributary.schemas.session.NodeHeartbeat;
import io.tributary.schemas.session.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionStore} on the compacted sessions topic. Values are {@link SessionRecord}s keyed by client id (so
 * all records of a client are in one partition, in order, and their offsets compare): claims ({@code epoch} null,
 * the claim's offset is its epoch) and states of a claim ({@code epoch} set); a tombstone removes the session.
 * {@link NodeHeartbeat}s share the topic under the key {@link #HEARTBEAT_KEY_PREFIX}{@code + nodeId}.
 *
 * <p>{@link #start} reads every partition from the beginning and keeps reading on a watcher thread, so the store
 * holds, per client id, its newest claim (epoch, node) and its newest <em>accepted</em> state: a state of an epoch
 * at least the newest claim's (a stale owner's late write is not accepted), or, when no state is known (it was
 * compacted away), the state a claim carries. Every record a node writes, heartbeats and the others, shows that
 * the node was alive at the record's timestamp; a node is live while its newest record is at most
 * {@link Timing#livenessWindow()} old (clocks of the nodes must agree to well within that). This node is always
 * live, but not the connections of its earlier runs: a claim of this node id from before {@link #start} is of a
 * connection that is gone, so its release is not waited for and its sessions count as offline.
 *
 * <p>Threads: the view is written by the watcher thread only and read from any thread (concurrent maps of
 * immutable values). {@link #resume} futures complete on the watcher or the timer thread, claim and save futures
 * on the producer's thread; listeners are called on the watcher thread and must not block.
 */
public final class KafkaSessionStore implements SessionStore {

    /** Key prefix of node heartbeats in the sessions topic; no MQTT client id contains U+0000 (MQTT 1.5.4). */
    public static final String HEARTBEAT_KEY_PREFIX = "\u0000node/";
    /** How often a node writes its heartbeat. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** A node whose newest record is older than this is not live. */
    public static final Duration DEFAULT_LIVENESS_WINDOW = Duration.ofSeconds(5);
    /**
     * How long {@link #resume} waits at most for the release of a live previous owner before it takes the
     * checkpoint; it stops waiting as soon as that node is no longer live.
     */
    public static final Duration DEFAULT_HANDOVER_TIMEOUT = Duration.ofSeconds(30);
    /** How often a waiting {@link #resume} looks whether the previous owner is still live. */
    private static final Duration HANDOVER_CHECK = Duration.ofMillis(250);
    /** Bound of {@link #start}: reading the topic up to its end, and the first heartbeat. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSessionStore.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    // a resume for a claim of this node comes right after the claim; forget those it never came for
    private static final long TAKEOVER_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long SKIP_WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * Timing knobs.
     *
     * @param heartbeatInterval  how often this node writes its heartbeat
     * @param livenessWindow     a node not heard from for longer is not live (a few heartbeat intervals)
     * @param handoverTimeout    the longest {@link #resume} waits for the release of a live previous owner
     */
    public record Timing(Duration heartbeatInterval, Duration livenessWindow, Duration handoverTimeout) {

        public static final Timing DEFAULT =
                new Timing(DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_LIVENESS_WINDOW, DEFAULT_HANDOVER_TIMEOUT);

        public Timing {
            requirePositive(heartbeatInterval, "heartbeatInterval");
            requirePositive(livenessWindow, "livenessWindow");
            requirePositive(handoverTimeout, "handoverTimeout");
            if (livenessWindow.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("livenessWindow (" + livenessWindow
                        + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
            }
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0: " + d);
            }
        }
    }

    /**
     * What is known of a client id. {@code claimEpoch} -1: no claim known (compacted away); {@code state} null:
     * no state (a clean session), then the state fields are unused.
     */
    private record Entry(long claimEpoch, String claimNode, SessionState state, long stateEpoch,
                         long stateOffset) {
    }

    private record TakeoverKey(String clientId, long epoch) {
    }

    /** A claim of this node read after start, and what its {@link #resume} completes with. */
    private static final class Takeover {
        final CompletableFuture<SessionState> result = new CompletableFuture<>();
        final long createdNanos = System.nanoTime();
        volatile boolean snapshotted;
        volatile long awaitedEpoch = -1;
        volatile SessionState fallback;
    }

    private final String topic;
    private final String nodeId;
    private final Timing timing;
    private final Clock clock;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TakeoverKey, Takeover> takeovers = new ConcurrentHashMap<>();
    // watcher thread only: takeovers waiting for a release, by client id; node ids, one String each
    private final Map<String, List<Takeover>> waiting = new HashMap<>();
    private final Map<String, String> nodeIds = new HashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private long lastSkipWarnNanos;

    // set by start
    private volatile int partitions;
    private volatile long[] startEnd;
    private volatile AtomicLongArray readUpTo;
    private volatile Long previousLastSeen;
    private volatile SessionStore.ClaimListener listener;
    private volatile IllegalStateException stopped;
    private Thread watcher;

    /** With the default {@link Timing}. Needs {@code settings.bootstrapServers()}; the sessions topic must exist. */
    public KafkaSessionStore(KafkaSettings settings, String nodeId) {
        this(settings, nodeId, Timing.DEFAULT, Clock.systemUTC());
    }

    /**
     * @param clock  the time of heartbeats and of liveness decisions; record timestamps are taken from it too
     */
    public KafkaSessionStore(KafkaSettings settings, String nodeId, Timing timing, Clock clock) {
        this.topic = settings.topics().sessions();
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isEmpty() || nodeId.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("node id must be non-empty, without U+0000: '" + nodeId + "'");
        }
        this.timing = Objects.requireNonNull(timing, "timing");
        this.clock = Objects.requireNonNull(clock, "clock");
        // the same reader settings as the message feed: assigned partitions, no group, nothing auto-created
        Map<String, Object> consumerConfig = KafkaMessageFeed.consumerConfig(settings);
        Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // a CONNECT waits for its claim: give up after seconds, not minutes
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        producerConfig.putAll(settings.producer());
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-sessions-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start(SessionStore.ClaimListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed.get() || readUpTo != null || this.listener != null) {
            throw new IllegalStateException("a session store starts once");
        }
        this.listener = listener;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<TopicPartition> assigned = new ArrayList<>();
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, START_TIMEOUT);
            if (infos != null) {
                infos.forEach(info -> assigned.add(new TopicPartition(topic, info.partition())));
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the sessions topic '" + topic + "': " + e, e);
        }
        if (assigned.isEmpty()) {
            throw new IllegalStateException("Kafka topic '" + topic + "' does not exist");
        }
        assigned.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        int count = assigned.get(assigned.size() - 1).partition() + 1;
        long[] ends = new long[count];
        AtomicLongArray positions = new AtomicLongArray(count);
        try {
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(assigned, remaining(deadline));
            endOffsets.forEach((tp, end) -> ends[tp.partition()] = end);
            while (!caughtUp(assigned, ends, positions, deadline)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the sessions topic '" + topic
                            + "' up to its end within " + START_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    handle(record, false);
                }
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the sessions topic '" + topic + "': " + e, e);
        }
        this.partitions = count;
        this.startEnd = ends;
        this.readUpTo = positions;
        this.previousLastSeen = lastSeen.get(nodeId);
        LOG.info("Read the sessions topic {} ({} partitions): {} client ids known", topic, count, sessions.size());

        // others should know this node is live before it claims anything
        try {
            send(HEARTBEAT_KEY_PREFIX + nodeId, Records.encode(new NodeHeartbeat(nodeId, clock.instant())))
                    .get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing the first heartbeat to '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write a heartbeat to the sessions topic '" + topic + "': "
                    + (e.getCause() == null ? e : e.getCause()), e);
        }
        watcher = new Thread(this::watch, "tributary-sessions-watcher");
        watcher.setDaemon(true);
        watcher.start();
        long interval = timing.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(this::tick, interval, interval, TimeUnit.MILLISECONDS);
    }

    private boolean caughtUp(List<TopicPartition> assigned, long[] ends, AtomicLongArray positions, long deadline) {
        boolean caughtUp = true;
        for (TopicPartition tp : assigned) {
            long position = consumer.position(tp, remaining(deadline));
            positions.set(tp.partition(), position);
            caughtUp &= position >= ends[tp.partition()];
        }
        return caughtUp;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private void watch() {
        try {
            while (!closed.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    handle(record, true);
                    readUpTo.accumulateAndGet(record.partition(), record.offset() + 1, Math::max);
                }
                for (TopicPartition tp : consumer.assignment()) {
                    readUpTo.accumulateAndGet(tp.partition(), consumer.position(tp), Math::max);
                }
                waiting.values().removeIf(list -> {
                    list.removeIf(t -> t.result.isDone());
                    return list.isEmpty();
                });
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed.get()) {
                LOG.error("Reading the sessions topic {} stopped", topic, e);
                stopped = new IllegalStateException("reading the sessions topic '" + topic + "' stopped: " + e, e);
                takeovers.values().forEach(t -> t.result.completeExceptionally(stopped));
            }
        } finally {
            consumer.close(CLOSE_TIMEOUT);
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, boolean live) {
        if (record.key() == null) {
            skip(record, "no key");
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        try {
            if (key.startsWith(HEARTBEAT_KEY_PREFIX)) {
                if (record.value() != null) { // a tombstone only tidies the topic: the node's time is kept
                    seen(Records.decodeHeartbeat(record.value()).getNodeId(), record.timestamp());
                }
            } else if (record.value() == null) {
                removed(key);
            } else if (Records.kindOf(record.value()) == Records.Kind.SESSION) {
                session(key, Records.decodeSession(record.value()), record, live);
            } else {
                skip(record, "not a SessionRecord");
            }
        } catch (RuntimeException e) {
            skip(record, e.toString());
        }
    }

    private void session(String clientId, SessionRecord value, ConsumerRecord<byte[], byte[]> record,
                         boolean live) {
        String node = seen(value.getNodeId(), record.timestamp());
        Entry known = sessions.get(clientId);
        if (value.getEpoch() == null) {
            long epoch = record.offset();
            boolean cleanStart = value.getCleanStart();
            SessionState carried = cleanStart || (known != null && known.state() != null)
                    ? null : carried(clientId, node, value, record);
            Entry next;
            if (cleanStart) {
                next = new Entry(epoch, node, null, -1, -1);
            } else if (known != null && known.state() != null) {
                // every node reads the same log: what the claimer knew is not newer than what we know
                next = new Entry(epoch, node, known.state(), known.stateEpoch(), known.stateOffset());
            } else if (carried != null) {
                // the state at the start of the claim's connection, which is connected
                next = new Entry(epoch, node, carried, epoch, epoch);
            } else {
                next = new Entry(epoch, node, null, -1, -1);
            }
            sessions.put(clientId, next);
            if (live && node.equals(nodeId)) {
                // from the view before the claim; completing only now, when the view shows the claim
                takeover(clientId, epoch, cleanStart, known, record.partition());
            }
            if (live) {
                try {
                    listener.onClaim(clientId, node, epoch, cleanStart);
                } catch (RuntimeException e) {
                    LOG.error("A session claim listener failed", e);
                }
            }
        } else {
            long epoch = value.getEpoch();
            if (value.getState() == null) {
                skip(record, "a state record without state");
                return;
            }
            SessionState state = SessionRecords.fromRecord(clientId, node, value.getState());
            if (live) {
                released(clientId, epoch, state);
            }
            if (known == null) {
                sessions.put(clientId, new Entry(-1, null, state, epoch, record.offset()));
            } else if (epoch >= known.claimEpoch() && (known.state() == null || epoch >= known.stateEpoch())) {
                sessions.put(clientId, new Entry(known.claimEpoch(), known.claimNode(), state, epoch,
                        record.offset()));
            }
        }
    }

    /** The state a claim carries, or null; a claim with a broken state still counts as a claim. */
    private SessionState carried(String clientId, String node, SessionRecord value,
                                 ConsumerRecord<byte[], byte[]> record) {
        if (value.getState() == null) {
            return null;
        }
        try {
            return SessionRecords.fromRecord(clientId, node, value.getState()).withEndedAt(null);
        } catch (RuntimeException e) {
            skip(record, "the state a claim carries: " + e);
            return null;
        }
    }

    /**
     * A claim of this node: decides from the view just before it what its {@link #resume} returns, at once or
     * when the previous connection's release comes.
     */
    private void takeover(String clientId, long epoch, boolean cleanStart, Entry before, int partition) {
        Takeover takeover = takeovers.computeIfAbsent(new TakeoverKey(clientId, epoch), k -> new Takeover());
        try {
            if (cleanStart || before == null) {
                takeover.result.complete(null);
                return;
            }
            SessionState state = before.state();
            long awaited;
            String owner;
            if (state != null && (before.claimEpoch() < 0 || before.stateOffset() > before.claimEpoch())) {
                if (state.endedAtMs() != null) {
                    takeover.result.complete(state); // the release
                    return;
                }
                awaited = before.stateEpoch(); // a checkpoint: that connection may be open still
                owner = state.nodeId();
            } else if (before.claimEpoch() >= 0) {
                awaited = before.claimEpoch(); // a connection that has written nothing yet
                owner = before.claimNode();
            } else {
                takeover.result.complete(null);
                return;
            }
            if (!ownerLive(owner, awaited, partition)) {
                takeover.result.complete(state); // fenced, not waited for
                return;
            }
            takeover.fallback = state;
            takeover.awaitedEpoch = awaited;
            waiting.computeIfAbsent(clientId, k -> new ArrayList<>(1)).add(takeover);
            try {
                // wait while the previous owner is live (it writes the release as it closes the connection), but
                // not for a node that stops heartbeating meanwhile, and never beyond the handover timeout
                long deadline = System.nanoTime() + timing.handoverTimeout().toNanos();
                ScheduledFuture<?>[] check = new ScheduledFuture<?>[1];
                check[0] = timer.scheduleWithFixedDelay(() -> {
                    if (!takeover.result.isDone() && ownerLive(owner, awaited, partition)
                            && System.nanoTime() < deadline) {
                        return;
                    }
                    takeover.result.complete(takeover.fallback);
                    check[0].cancel(false);
                }, HANDOVER_CHECK.toMillis(), HANDOVER_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                takeover.result.completeExceptionally(new IllegalStateException("session store closed"));
            }
        } catch (RuntimeException e) {
            takeover.result.completeExceptionally(e);
        } finally {
            takeover.snapshotted = true;
        }
    }

    /** A state of {@code epoch}, maybe what a takeover waits for. */
    private void released(String clientId, long epoch, SessionState state) {
        List<Takeover> list = waiting.get(clientId);
        if (list == null) {
            return;
        }
        for (Takeover takeover : list) {
            if (takeover.awaitedEpoch == epoch) {
                if (state.endedAtMs() != null) {
                    takeover.result.complete(state);
                } else {
                    takeover.fallback = state; // a later checkpoint of the same connection
                }
            }
        }
    }

    private void removed(String clientId) {
        sessions.remove(clientId);
        List<Takeover> list = waiting.remove(clientId);
        if (list != null) {
            list.forEach(t -> t.result.complete(null)); // the session ended with its connection: nothing to take
        }
    }

    /** Notes that {@code node} was alive at {@code timestamp}; returns the node id as kept (one String each). */
    private String seen(String node, long timestamp) {
        String id = nodeIds.computeIfAbsent(node, n -> n);
        lastSeen.merge(id, timestamp, Math::max);
        return id;
    }

    private void skip(ConsumerRecord<byte[], byte[]> record, String why) {
        long count = skipped.incrementAndGet();
        long now = System.nanoTime();
        if (count == 1 || now - lastSkipWarnNanos > SKIP_WARN_INTERVAL_NANOS) {
            lastSkipWarnNanos = now;
            LOG.warn("Skipping a record of {} at {}/{} ({} skipped so far): {}", topic, record.partition(),
                    record.offset(), count, why);
        } else {
            LOG.debug("Skipping a record of {} at {}/{}: {}", topic, record.partition(), record.offset(), why);
        }
    }

    private void tick() {
        try {
            send(HEARTBEAT_KEY_PREFIX + nodeId, Records.encode(new NodeHeartbeat(nodeId, clock.instant())))
                    .whenComplete((m, failure) -> {
                        if (failure != null) {
                            LOG.debug("Could not write the heartbeat of node {}: {}", nodeId, failure.toString());
                        }
                    });
            long now = System.nanoTime();
            takeovers.forEach((key, takeover) -> {
                // in this order, as in resume
                if (readUpTo.get(partitionOf(key.clientId())) > key.epoch() && !takeover.snapshotted) {
                    takeover.result.completeExceptionally(noClaim(key));
                }
                if (takeover.result.isDone() && now - takeover.createdNanos > TAKEOVER_TTL_NANOS) {
                    takeovers.remove(key, takeover);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Session store housekeeping failed", e);
        }
    }

    @Override
    public CompletionStage<Long> claim(String clientId, boolean cleanStart) {
        Objects.requireNonNull(clientId, "clientId");
        Entry known = cleanStart ? null : sessions.get(clientId);
        SessionRecord record = SessionRecords.claim(clientId, nodeId, clock.instant(), cleanStart,
                known == null ? null : known.state());
        return send(clientId, Records.encode(record)).thenApply(RecordMetadata::offset);
    }

    @Override
    public CompletionStage<SessionState> resume(String clientId, long epoch) {
        Objects.requireNonNull(clientId, "clientId");
        AtomicLongArray read = readUpTo;
        if (read == null || closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    closed.get() ? "session store closed" : "session store not started"));
        }
        if (stopped != null) {
            return CompletableFuture.failedFuture(stopped);
        }
        TakeoverKey key = new TakeoverKey(clientId, epoch);
        Takeover takeover = takeovers.computeIfAbsent(key, k -> new Takeover());
        takeover.result.whenComplete((state, failure) -> takeovers.remove(key, takeover));
        // in this order: once the watcher read past the claim, the takeover it made is visible
        if (read.get(partitionOf(clientId)) > epoch && !takeover.snapshotted) {
            takeover.result.completeExceptionally(noClaim(key));
        }
        if (closed.get()) {
            takeover.result.completeExceptionally(new IllegalStateException("session store closed"));
        }
        return takeover.result.copy();
    }

    private IllegalArgumentException noClaim(TakeoverKey key) {
        return new IllegalArgumentException("no claim of '" + key.clientId() + "' by node " + nodeId
                + " at epoch " + key.epoch() + " in " + topic + " since this store started");
    }

    @Override
    public CompletionStage<Void> save(long epoch, SessionState state) {
        SessionRecord record = SessionRecords.state(epoch, nodeId, clock.instant(), state);
        return send(state.clientId(), Records.encode(record)).thenApply(m -> null);
    }

    @Override
    public void remove(String clientId) {
        send(clientId, null).whenComplete((m, failure) -> {
            if (failure != null) {
                LOG.debug("Could not remove the session of '{}': {}", clientId, failure.toString());
            }
        });
    }

    @Override
    public Collection<OfflineSession> offlineSessions() {
        List<OfflineSession> offline = new ArrayList<>();
        sessions.forEach((clientId, entry) -> {
            SessionState state = entry.state();
            if (state == null || (state.will() == null && state.expirySeconds() == SessionState.NEVER)) {
                return;
            }
            int partition = partitionOf(clientId);
            long epoch = Math.max(entry.claimEpoch(), entry.stateEpoch()); // a state saved under it is accepted
            if (entry.claimEpoch() > entry.stateEpoch()) {
                // a newer connection, which has written no state yet
                if (!ownerLive(entry.claimNode(), entry.claimEpoch(), partition)) {
                    offline.add(new OfflineSession(epoch, state.withEndedAt(lastSeenOf(entry.claimNode()))));
                }
            } else if (state.endedAtMs() != null) {
                offline.add(new OfflineSession(epoch, state));
            } else if (!ownerLive(state.nodeId(), entry.stateEpoch(), partition)) {
                offline.add(new OfflineSession(epoch, state.withEndedAt(lastSeenOf(state.nodeId()))));
            }
        });
        return offline;
    }

    @Override
    public boolean responsibleFor(String clientId) {
        TreeSet<String> live = new TreeSet<>();
        live.add(nodeId);
        lastSeen.keySet().stream().filter(this::isLive).forEach(live::add);
        int index = partitionOf(clientId) % live.size();
        return live.stream().skip(index).findFirst().orElseThrow().equals(nodeId);
    }

    /** Records of the sessions topic that could not be read (not ours, or broken) and were skipped. */
    public long recordsSkipped() {
        return skipped.get();
    }

    /** True when {@code node} was heard from within the liveness window; this node always is. */
    boolean isLive(String node) {
        if (nodeId.equals(node)) {
            return true;
        }
        Long seen = node == null ? null : lastSeen.get(node);
        return seen != null && clock.millis() - seen <= timing.livenessWindow().toMillis();
    }

    /** Whether the connection of the claim {@code epoch} on {@code node} may still be open. */
    private boolean ownerLive(String node, long epoch, int partition) {
        if (nodeId.equals(node)) {
            return epoch >= startEnd[partition]; // claims of this node's earlier runs are gone
        }
        return isLive(node);
    }

    private long lastSeenOf(String node) {
        Long seen = nodeId.equals(node) ? previousLastSeen : lastSeen.get(node);
        return seen != null ? seen : clock.millis();
    }

    private int partitionOf(String clientId) {
        int count = partitions;
        if (count == 0) {
            throw new IllegalStateException("session store not started");
        }
        // Kafka's default partitioner for keyed records
        return Utils.toPositive(Utils.murmur2(clientId.getBytes(StandardCharsets.UTF_8))) % count;
    }

    private CompletableFuture<RecordMetadata> send(String key, byte[] value) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, null, clock.millis(), key.getBytes(StandardCharsets.UTF_8),
                    value), (metadata, failure) -> {
                        if (failure != null) {
                            sent.completeExceptionally(failure);
                        } else {
                            sent.complete(metadata);
                        }
                    });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.shutdownNow();
        if (watcher != null) {
            consumer.wakeup();
            try {
                watcher.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(CLOSE_TIMEOUT);
        }
        producer.close(CLOSE_TIMEOUT);
        IllegalStateException closing = new IllegalStateException("session store closed");
        takeovers.values().forEach(t -> t.result.completeExceptionally(closing));
        takeovers.clear();
    }
}
