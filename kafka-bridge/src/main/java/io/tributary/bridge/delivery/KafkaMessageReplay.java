package io.tributary.bridge.delivery;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.mapping.TopicMapper;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link MessageReplay} over one {@link KafkaConsumer} on a daemon thread {@value #THREAD_NAME} (partitions
 * assigned, no group, nothing committed, only committed transactions).
 *
 * <p>The thread takes every pending request at once and serves them in one pass: each partition they involve is
 * read once, from the smallest offset any of them wants (not below the log start offset) up to the largest one,
 * and each record goes to every request whose ranges contain its offset. A request completes as soon as all of
 * its ranges are covered; the pass ends when every request in it has completed, and requests made meanwhile wait
 * for the next pass. A range is covered when the consumer's position reaches its end, so offsets without a record
 * (transaction markers, aborted or compacted records) are simply not there. Nothing at or after a partition's end
 * offset as it was when the pass started is waited for: it counts as missing, as do records retention removed.
 * Between distant wanted offsets the reader seeks instead of reading what nobody wants.
 *
 * <p>Requests made before {@link #start} wait for it. Futures complete, and listeners are called, on the reader's
 * thread: chain with the async variants for anything that blocks.
 *
 * <p>A partition that cannot be read (its topic does not exist or is deleted while it is read, no authorization)
 * fails the requests that involve it and no other. An error the consumer reports without naming a partition is
 * retried after a pause, a few times, before it fails the pass's requests.
 */
public final class KafkaMessageReplay implements MessageReplay {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessageReplay.class);

    public static final String THREAD_NAME = "tributary-replay";
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long finding a topic's partitions and offsets may take before the requests reading it fail. */
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A partition whose position has not moved for this long is checked (at most this often) for still existing:
     * the consumer retries a deleted one for ever. The check mostly reads the consumer's metadata cache.
     */
    static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    /** Fewer unwanted records than this in a row are read, not skipped with a seek (which drops prefetched data). */
    static final long SEEK_GAP = 2000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long ERROR_PAUSE_MS = 1000;
    private static final int MAX_POLL_FAILURES = 3;
    private static final long NONE = Long.MAX_VALUE;
    /** Wakes the reader when it waits for requests; never served. */
    private static final Request CLOSE = new Request(Map.of(), batch -> { });

    private final Consumer<byte[], byte[]> consumer;
    private final MessageRecords records;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong recordsRead = new AtomicLong();
    private final Object lifecycle = new Object();
    private Thread thread; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle

    /** One call of {@link #replay}: its ranges merged per partition, and what it got so far (reader thread). */
    private static final class Request {
        final CompletableFuture<Result> future = new CompletableFuture<>();
        final Map<PartitionId, long[]> ranges;
        final DeliveryListener listener;
        int partitionsLeft;
        long messages;
        long skipped;
        long missing;
        List<OutboundMessage> batch; // this poll's messages, null when none

        Request(Map<PartitionId, long[]> ranges, DeliveryListener listener) {
            this.ranges = ranges;
            this.listener = listener;
        }

        boolean isDone() {
            return future.isDone(); // cancelled, failed, or the caller completed it (e.g. orTimeout)
        }

        void fail(Throwable cause) {
            future.completeExceptionally(cause);
        }
    }

    /**
     * A request's ranges in one partition: sorted, disjoint {@code [from, to)} pairs, walked forwards as the
     * partition is read (records arrive in offset order).
     */
    private static final class Slot {
        final Request request;
        final long[] bounds; // from0, to0, from1, to1, ...
        int pair; // the first pair not yet passed
        long next; // nothing below is wanted any more (served, or missing)
        long limit = NONE; // the partition's end offset at the start of the pass: nothing at or above is read

        Slot(Request request, long[] bounds) {
            this.request = request;
            this.bounds = bounds;
        }

        /** Whether the record at {@code offset} is for this slot's request; offsets must grow from call to call. */
        boolean wants(long offset) {
            if (offset < next || offset >= limit) {
                return false;
            }
            next = offset + 1;
            while (pair * 2 < bounds.length && bounds[pair * 2 + 1] <= offset) {
                pair++;
            }
            return pair * 2 < bounds.length && offset >= bounds[pair * 2];
        }

        /** The first offset still wanted, or {@link #NONE} when the slot is done. */
        long nextWanted() {
            while (pair * 2 < bounds.length && bounds[pair * 2 + 1] <= next) {
                pair++;
            }
            if (pair * 2 == bounds.length) {
                return NONE;
            }
            long offset = Math.max(bounds[pair * 2], next);
            return offset < limit ? offset : NONE;
        }

        /** How many offsets in {@code [lo, hi)} are still wanted. */
        long wantedIn(long lo, long hi) {
            long n = 0;
            for (int k = pair * 2; k < bounds.length; k += 2) {
                long from = Math.max(Math.max(bounds[k], next), lo);
                long to = Math.min(Math.min(bounds[k + 1], limit), hi);
                if (to > from) {
                    n += to - from;
                }
            }
            return n;
        }
    }

    /** A partition read in the current pass. */
    private static final class PartitionWork {
        final TopicPartition partition;
        final PartitionId id;
        final List<Slot> slots = new ArrayList<>();
        long position = -1;
        long progressNanos;
        long checkedNanos;

        PartitionWork(PartitionId id) {
            this.id = id;
            this.partition = new TopicPartition(id.topic(), id.partition());
        }
    }

    /**
     * Creates the consumer (it connects only when the first request is served).
     *
     * @param settings    needs the bootstrap servers ({@link KafkaSettings#withBootstrapServers} for the embedded
     *                    broker); the consumer is configured like the message feed's
     *                    ({@link KafkaMessageFeed#consumerConfig}, {@code kafka.consumer.*} included), except that
     *                    a position retention has overtaken is reported, never reset
     * @param mapper      the MQTT topic templates of records of other producers
     * @param defaultQos  QoS of records of other Kafka producers (no {@code mqtt.qos} header)
     */
    public KafkaMessageReplay(KafkaSettings settings, TopicMapper mapper, int defaultQos) {
        // the rules are checked before a consumer exists that would have to be closed
        this(new MessageRecords(mapper, defaultQos), consumerConfig(settings));
    }

    private KafkaMessageReplay(MessageRecords records, Map<String, Object> config) {
        this(new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()), records);
    }

    /**
     * Over a given consumer (tests may pass a {@code MockConsumer}); the replay closes it. It should not reset
     * positions that are out of range ({@code auto.offset.reset=none}), or what retention removed while a range
     * was read is not counted.
     */
    public KafkaMessageReplay(Consumer<byte[], byte[]> consumer, TopicMapper mapper, int defaultQos) {
        this(consumer, new MessageRecords(mapper, defaultQos));
    }

    private KafkaMessageReplay(Consumer<byte[], byte[]> consumer, MessageRecords records) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.records = records;
    }

    /** The message feed's consumer settings, with out-of-range positions reported to the reader (not reset). */
    static Map<String, Object> consumerConfig(KafkaSettings settings) {
        Map<String, Object> config = KafkaMessageFeed.consumerConfig(settings);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return config;
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the message replay is closed");
            }
            if (thread != null) {
                throw new IllegalStateException("the message replay is already started");
            }
            thread = new Thread(this::run, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public CompletableFuture<Result> replay(List<OffsetRange> ranges, DeliveryListener listener) {
        Objects.requireNonNull(listener, "listener");
        Map<PartitionId, long[]> merged = merge(ranges);
        synchronized (lifecycle) {
            if (closed) {
                return CompletableFuture.failedFuture(closedException());
            }
            if (merged.isEmpty()) {
                return CompletableFuture.completedFuture(new Result(0, 0, 0));
            }
            Request request = new Request(merged, listener);
            queue.add(request);
            return request.future;
        }
    }

    /** The non-empty ranges per partition as sorted, disjoint {@code [from, to)} pairs. */
    private static Map<PartitionId, long[]> merge(List<OffsetRange> ranges) {
        Map<PartitionId, List<OffsetRange>> byPartition = new LinkedHashMap<>();
        for (OffsetRange range : ranges) {
            Objects.requireNonNull(range, "range");
            if (!range.isEmpty()) {
                byPartition.computeIfAbsent(range.partition(), p -> new ArrayList<>()).add(range);
            }
        }
        Map<PartitionId, long[]> merged = new LinkedHashMap<>();
        byPartition.forEach((partition, list) -> {
            list.sort(Comparator.comparingLong(OffsetRange::from));
            long[] bounds = new long[list.size() * 2];
            int n = 0;
            for (OffsetRange range : list) {
                if (n > 0 && range.from() <= bounds[n - 1]) {
                    bounds[n - 1] = Math.max(bounds[n - 1], range.to()); // overlapping or adjacent
                } else {
                    bounds[n++] = range.from();
                    bounds[n++] = range.to();
                }
            }
            merged.put(partition, Arrays.copyOf(bounds, n));
        });
        return merged;
    }

    private void run() {
        List<Request> pass = new ArrayList<>();
        try {
            while (closing.getCount() > 0) {
                pass.clear();
                pass.add(queue.take());
                queue.drainTo(pass);
                if (closing.getCount() == 0) {
                    break;
                }
                pass.removeIf(request -> request == CLOSE || request.isDone());
                if (pass.isEmpty()) {
                    continue;
                }
                try {
                    serve(pass);
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    LOG.error("Replaying {} request(s) failed", pass.size(), e);
                    pass.forEach(request -> request.fail(e));
                    if (closing.await(ERROR_PAUSE_MS, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } finally {
                    consumer.assign(List.of()); // a partition of the next pass starts unpaused
                }
            }
        } catch (WakeupException | InterruptException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("The message replay stopped", t);
            throw t;
        } finally {
            synchronized (lifecycle) {
                closed = true; // also when the thread dies of an Error: refuse further requests
            }
            IllegalStateException closedException = closedException();
            pass.forEach(request -> request.fail(closedException));
            failQueued();
            closeConsumer();
        }
    }

    /** Serves the requests of one pass; returns when each has completed. */
    private void serve(List<Request> requests) throws InterruptedException {
        long startNanos = System.nanoTime();
        Map<TopicPartition, PartitionWork> works = new LinkedHashMap<>();
        for (Request request : requests) {
            request.partitionsLeft = request.ranges.size();
            request.ranges.forEach((partition, bounds) -> works.computeIfAbsent(
                    new TopicPartition(partition.topic(), partition.partition()), tp -> new PartitionWork(partition))
                    .slots.add(new Slot(request, bounds)));
        }
        int partitions = works.size();
        prepare(works);

        List<PartitionWork> active = new ArrayList<>();
        for (PartitionWork work : works.values()) {
            if (!work.slots.isEmpty()) {
                active.add(work);
            }
        }
        consumer.assign(active.stream().map(work -> work.partition).toList());
        for (PartitionWork work : active) {
            long from = NONE;
            for (Slot slot : work.slots) {
                from = Math.min(from, slot.nextWanted());
            }
            consumer.seek(work.partition, from);
            work.position = from;
            work.progressNanos = System.nanoTime();
            work.checkedNanos = work.progressNanos;
        }

        List<Request> withBatch = new ArrayList<>();
        int failures = 0;
        while (!active.isEmpty()) {
            if (closing.getCount() == 0) {
                throw new WakeupException();
            }
            ConsumerRecords<byte[], byte[]> polled;
            try {
                polled = consumer.poll(POLL_TIMEOUT);
                failures = 0;
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                if (!failPartitionsOf(e, works)) {
                    // e.g. a corrupt record: nothing a retry right away would fix
                    if (++failures >= MAX_POLL_FAILURES) {
                        for (PartitionWork work : active) {
                            fail(work, "reading failed " + failures + " times in a row", e);
                        }
                    } else {
                        LOG.warn("Reading partitions {} for replay failed; retrying in {} ms",
                                active.stream().map(work -> work.id).toList(), ERROR_PAUSE_MS, e);
                        if (closing.await(ERROR_PAUSE_MS, TimeUnit.MILLISECONDS)) {
                            throw new WakeupException();
                        }
                    }
                }
                advance(active);
                continue;
            }
            if (!polled.isEmpty()) {
                recordsRead.addAndGet(polled.count());
                dispatch(polled, works, withBatch);
                handOver(withBatch);
            }
            advance(active);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Replayed {} request(s) over {} partition(s) in {} ms", requests.size(), partitions,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        }
    }

    /**
     * Finds each partition's log start and end: ranges below the start and at or after the end count as missing.
     * Fails the partitions that cannot be read, and completes the requests that have nothing left to read.
     */
    private void prepare(Map<TopicPartition, PartitionWork> works) {
        Map<String, List<PartitionWork>> byTopic = new LinkedHashMap<>();
        for (PartitionWork work : works.values()) {
            byTopic.computeIfAbsent(work.id.topic(), t -> new ArrayList<>()).add(work);
        }
        byTopic.forEach((topic, topicWorks) -> {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                topicWorks.forEach(work -> fail(work, "cannot fetch the partitions of its topic", e));
                return;
            }
            if (infos == null || infos.isEmpty()) {
                topicWorks.forEach(work -> fail(work, "Kafka topic '" + topic + "' does not exist", null));
                return;
            }
            Set<Integer> existing = new HashSet<>();
            infos.forEach(info -> existing.add(info.partition()));
            List<TopicPartition> readable = new ArrayList<>();
            for (PartitionWork work : topicWorks) {
                if (existing.contains(work.id.partition())) {
                    readable.add(work.partition);
                } else {
                    fail(work, "Kafka topic '" + topic + "' has " + infos.size() + " partition(s)", null);
                }
            }
            if (readable.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> starts;
            Map<TopicPartition, Long> ends;
            try {
                starts = consumer.beginningOffsets(readable, METADATA_TIMEOUT);
                ends = consumer.endOffsets(readable, METADATA_TIMEOUT);
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                readable.forEach(tp -> fail(works.get(tp), "cannot fetch its offsets", e));
                return;
            }
            for (TopicPartition tp : readable) {
                PartitionWork work = works.get(tp);
                Long start = starts.get(tp);
                Long end = ends.get(tp);
                if (start == null || end == null) {
                    fail(work, "Kafka returned no offsets for it", null);
                    continue;
                }
                for (Slot slot : work.slots) {
                    slot.request.missing += slot.wantedIn(0, start) + slot.wantedIn(end, NONE);
                    slot.next = start;
                    slot.limit = end;
                }
                advance(work, start);
            }
        });
    }

    /** Deals with a poll error that names its partitions; false if it names none of this pass. */
    private boolean failPartitionsOf(RuntimeException e, Map<TopicPartition, PartitionWork> works) {
        if (e instanceof OffsetOutOfRangeException outOfRange) {
            return retentionOvertook(outOfRange.offsetOutOfRangePartitions(), works);
        }
        boolean named = false;
        if (e instanceof TopicAuthorizationException denied) {
            for (PartitionWork work : works.values()) {
                if (!work.slots.isEmpty() && denied.unauthorizedTopics().contains(work.id.topic())) {
                    fail(work, "not authorized to read its topic", e);
                    named = true;
                }
            }
        }
        return named;
    }

    /** Hands each record to every request that wants it, converting it at most once. */
    private void dispatch(ConsumerRecords<byte[], byte[]> polled, Map<TopicPartition, PartitionWork> works,
            List<Request> withBatch) {
        for (TopicPartition tp : polled.partitions()) {
            PartitionWork work = works.get(tp);
            if (work == null) {
                continue;
            }
            List<Slot> slots = work.slots;
            int n = slots.size();
            for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
                long offset = record.offset();
                OutboundMessage message = null;
                boolean converted = false;
                for (int i = 0; i < n; i++) {
                    Slot slot = slots.get(i);
                    if (!slot.wants(offset)) {
                        continue;
                    }
                    if (!converted) {
                        message = toMessage(record);
                        converted = true;
                    }
                    Request request = slot.request;
                    if (message == null) {
                        request.skipped++;
                    } else {
                        if (request.batch == null) {
                            request.batch = new ArrayList<>();
                            withBatch.add(request);
                        }
                        request.batch.add(message);
                    }
                }
            }
        }
    }

    private OutboundMessage toMessage(ConsumerRecord<byte[], byte[]> record) {
        try {
            return records.toMessage(record);
        } catch (RuntimeException e) {
            LOG.error("Cannot convert the record at {}-{}@{}; skipping it", record.topic(), record.partition(),
                    record.offset(), e);
            return null;
        }
    }

    /** Gives each request this poll's messages, unless it was cancelled or the replay is closing. */
    private void handOver(List<Request> withBatch) {
        for (Request request : withBatch) {
            List<OutboundMessage> batch = request.batch;
            request.batch = null;
            if (request.isDone() || closing.getCount() == 0) {
                continue;
            }
            request.messages += batch.size();
            try {
                request.listener.onMessages(batch);
            } catch (RuntimeException e) {
                LOG.error("A replay listener failed on a batch of {} message(s); ending its request", batch.size(),
                        e);
                request.fail(e);
            }
        }
        withBatch.clear();
    }

    /** After a poll: drops the partitions that are done, seeks over long stretches nobody wants, checks stalls. */
    private void advance(List<PartitionWork> active) {
        long now = System.nanoTime();
        for (int i = active.size() - 1; i >= 0; i--) {
            PartitionWork work = active.get(i);
            long position = work.slots.isEmpty() ? work.position : position(work);
            if (position != work.position) {
                work.position = position;
                work.progressNanos = now;
            } else if (now - work.progressNanos > STALL_CHECK_NANOS && now - work.checkedNanos > STALL_CHECK_NANOS) {
                work.checkedNanos = now;
                checkExists(work);
            }
            long wanted = advance(work, position);
            if (wanted == NONE) {
                consumer.pause(List.of(work.partition));
                active.remove(i);
            } else if (wanted - position > SEEK_GAP) {
                consumer.seek(work.partition, wanted);
                work.position = wanted;
            }
        }
    }

    /** The consumer's position, or the last one known while it revalidates it (e.g. after a leader change). */
    private long position(PartitionWork work) {
        try {
            return consumer.position(work.partition, Duration.ZERO);
        } catch (TimeoutException e) {
            return work.position;
        }
    }

    /**
     * Moves the partition's slots to {@code position}, completing the requests that have everything and dropping
     * those that ended otherwise; returns the first offset still wanted, or {@link #NONE}.
     */
    private long advance(PartitionWork work, long position) {
        List<Slot> slots = work.slots;
        long wanted = NONE;
        int kept = 0;
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            Request request = slot.request;
            if (request.isDone()) {
                continue;
            }
            slot.next = Math.max(slot.next, position);
            long offset = slot.nextWanted();
            if (offset == NONE) {
                if (--request.partitionsLeft == 0) {
                    request.future.complete(new Result(request.messages, request.skipped, request.missing));
                }
                continue;
            }
            wanted = Math.min(wanted, offset);
            slots.set(kept++, slot);
        }
        slots.subList(kept, slots.size()).clear();
        return wanted;
    }

    /**
     * Retention removed records before they were read: counts them missing and goes on from the new log start.
     * False if none of the partitions is read in this pass.
     */
    private boolean retentionOvertook(Map<TopicPartition, Long> positions, Map<TopicPartition, PartitionWork> works) {
        boolean named = false;
        for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
            PartitionWork work = works.get(entry.getKey());
            if (work == null || work.slots.isEmpty()) {
                continue;
            }
            named = true;
            long at = entry.getValue();
            long start;
            try {
                start = consumer.beginningOffsets(List.of(work.partition), METADATA_TIMEOUT).get(work.partition);
            } catch (WakeupException | InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                fail(work, "its position " + at + " is out of range and its log start cannot be fetched", e);
                continue;
            }
            if (start > at) {
                LOG.debug("Retention removed {} up to offset {} while it was replayed", work.id, start);
                for (Slot slot : work.slots) {
                    slot.request.missing += slot.wantedIn(0, start);
                }
                consumer.seek(work.partition, start);
            } else {
                // beyond the end (the log was truncated): what is left is not there
                LOG.warn("Replay position {} of {} is beyond its end; counting the rest as missing", at, work.id);
                for (Slot slot : work.slots) {
                    slot.request.missing += slot.wantedIn(at, NONE);
                    slot.limit = Math.min(slot.limit, at);
                }
                consumer.seek(work.partition, at);
            }
        }
        return named;
    }

    /** A partition that does not move may have been deleted: the consumer would retry it for ever. */
    private void checkExists(PartitionWork work) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(work.id.topic(), CHECK_TIMEOUT);
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.debug("Cannot check whether {} still exists: {}", work.id, e.toString());
            return;
        }
        if (infos == null || infos.stream().noneMatch(info -> info.partition() == work.id.partition())) {
            fail(work, "Kafka topic '" + work.id.topic() + "' or the partition does not exist any more", null);
        }
    }

    /** Fails every request still reading {@code work}'s partition; the pass goes on with the others. */
    private static void fail(PartitionWork work, String reason, Throwable cause) {
        if (work.slots.isEmpty()) {
            return;
        }
        String message = "cannot read Kafka partition " + work.id + ": " + reason
                + (cause == null ? "" : " (" + cause + ")");
        LOG.warn("Failing {} replay request(s): {}", work.slots.size(), message);
        IllegalStateException failure = new IllegalStateException(message, cause);
        for (Slot slot : work.slots) {
            slot.request.fail(failure);
        }
        work.slots.clear();
    }

    /** Stops the reader (waiting up to 10 s for it) and closes the consumer; pending requests fail. Idempotent. */
    @Override
    public void close() {
        Thread reader;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            reader = thread;
            closing.countDown();
        }
        failQueued(); // at once, even if the reader is busy in a listener
        if (reader == null) {
            closeConsumer(); // never started
            return;
        }
        queue.add(CLOSE);
        consumer.wakeup();
        if (reader == Thread.currentThread()) {
            return; // closed from a listener: the reader ends when the listener returns
        }
        try {
            reader.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            LOG.warn("The message replay thread did not end within {} (a listener blocking?)", CLOSE_TIMEOUT);
        }
    }

    private void failQueued() {
        List<Request> pending = new ArrayList<>();
        queue.drainTo(pending);
        IllegalStateException closedException = closedException();
        pending.forEach(request -> request.fail(closedException));
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("the message replay is closed");
    }

    /** Closes the consumer: on the reader thread once it was started, since a consumer is single-threaded. */
    private void closeConsumer() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            LOG.warn("Closing the message replay's consumer failed", e);
        }
    }

    /** Records read from Kafka, for all requests together (skipped ones and ones nobody wanted included). */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** True while the reader thread runs. */
    public boolean isRunning() {
        synchronized (lifecycle) {
            return thread != null && thread.isAlive();
        }
    }
}
