package io.tributary.bench;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.retained.RetainedIndex;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Roughly how much heap a node's retained view takes: kafka-bridge's {@code RetainedIndex} of
 * {@link OutboundMessage}s (as {@code KafkaRetainedStore} holds it) filled with the set of
 * {@link RetainedBench} (topics {@code bench/retained/<i/1000>/<i>}, 64-byte payloads, QoS 1, from
 * 10 publishers, positions in a 6-partition message topic), measured as used heap after GC
 * before and after; then how long matching {@code #} over it and a narrow {@code bench/retained/7/+}
 * takes on one thread (what a SUBSCRIBE costs before anything is sent).
 *
 * <pre>
 * java -Xmx1g -cp bench/target/benchmarks.jar io.tributary.bench.RetainedIndexHeap [messages] [payload bytes]
 * </pre>
 */
public final class RetainedIndexHeap {

    private static final int GC_ROUNDS = 5;
    private static final int MATCH_WARMUP = 20;
    private static final int MATCH_ROUNDS = 30;
    private static final int PUBLISHERS = 10;
    private static final int PARTITIONS = 6;

    private RetainedIndexHeap() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int payloadBytes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        RetainedTopics topics = new RetainedTopics(RetainedTopics.DEFAULT_PREFIX, count);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        long empty = usedAfterGc(memory);
        OutboundMessage[] messages = messages(topics, payloadBytes);
        long withMessages = usedAfterGc(memory);
        RetainedIndex<OutboundMessage> index = new RetainedIndex<>();
        for (OutboundMessage m : messages) {
            index.put(m.topic(), m);
        }
        long withIndex = usedAfterGc(memory);
        messages = null; // from here on only the index holds them
        long indexOnly = usedAfterGc(memory);

        double mib = 1024.0 * 1024.0;
        System.out.printf(Locale.ROOT, "retained messages: %,d (%s/<i/1000>/<i>, %d-byte payloads), %s%n", index.size(),
                topics.prefix(), payloadBytes, Runtime.version());
        System.out.printf(Locale.ROOT, "messages:        %8.1f MiB (%.0f bytes each: OutboundMessage, topic string, payload, "
                + "the array referring to them)%n", (withMessages - empty) / mib, (double) (withMessages - empty) / count);
        System.out.printf(Locale.ROOT, "index structure: %8.1f MiB (%.0f bytes per topic: levels, level names, child maps)%n",
                (withIndex - withMessages) / mib, (double) (withIndex - withMessages) / count);
        System.out.printf(Locale.ROOT, "total:           %8.1f MiB (%.0f bytes per retained message, index and messages)%n",
                (indexOnly - empty) / mib, (double) (indexOnly - empty) / count);

        match(index, topics.allFilter(), count);
        if (topics.buckets() > 7) {
            match(index, topics.bucketFilter(7), topics.bucketSizes()[7]);
        }
    }

    /** The set as a node holds it after its publishers' PUBLISHes were acknowledged. */
    static OutboundMessage[] messages(RetainedTopics topics, int payloadBytes) {
        SplittableRandom random = new SplittableRandom(42);
        String[] clientIds = new String[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++) {
            clientIds[p] = "retained-pub-" + p; // one String per session, shared by its messages
        }
        long now = System.currentTimeMillis();
        OutboundMessage[] messages = new OutboundMessage[topics.count()];
        for (int i = 0; i < messages.length; i++) {
            byte[] payload = new byte[payloadBytes];
            random.nextBytes(payload);
            int publisher = (int) ((long) i * PUBLISHERS / messages.length);
            messages[i] = new OutboundMessage(topics.topic(i), payload, 1, true, clientIds[publisher],
                    MessageProperties.NONE, now + i / 100, "mqtt.messages", i % PARTITIONS, i / PARTITIONS);
        }
        return messages;
    }

    private static void match(RetainedIndex<OutboundMessage> index, String filterText, long expected) {
        TopicFilter filter = TopicFilter.parse(filterText);
        long[] matched = new long[1];
        long[] nanos = new long[MATCH_ROUNDS];
        for (int round = -MATCH_WARMUP; round < MATCH_ROUNDS; round++) {
            matched[0] = 0;
            long start = System.nanoTime();
            index.match(filter, m -> matched[0]++);
            long took = System.nanoTime() - start;
            if (round >= 0) {
                nanos[round] = took;
            }
        }
        if (matched[0] != expected) {
            throw new AssertionError(filterText + " matched " + matched[0] + ", expected " + expected);
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "match %-22s %,8d matched: median %8.3f ms, best %8.3f ms (%d rounds after %d warm-up)%n",
                filterText, matched[0], nanos[MATCH_ROUNDS / 2] / 1e6, nanos[0] / 1e6, MATCH_ROUNDS, MATCH_WARMUP);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        return LongStream.range(0, GC_ROUNDS).map(round -> {
            memory.gc();
            return memory.getHeapMemoryUsage().getUsed();
        }).min().orElseThrow();
    }
}
