package io.tributary.mqtt.delivery;

import io.netty.util.concurrent.EventExecutor;
import io.tributary.bridge.delivery.FeedListener;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.topic.SubscriptionTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Broadcast mode (DESIGN.md, fan-out): every message the node reads from Kafka is matched against the
 * subscriptions of the clients connected to this node. Overlapping subscriptions of one client give one copy
 * with the highest granted QoS and every Subscription Identifier (MQTT-3.3.4-2 .. -4). Each poll's deliveries
 * reach an event loop as one task, which flushes each connection once.
 *
 * <p>Served positions: every poll is a numbered {@link Mark} with the feed's positions after it. Every event loop
 * that has subscribers gets a task for every poll, with or without deliveries, and remembers the mark of the last
 * one it ran ({@link #loopMark}): a subscriber on that loop has been handed everything of its subscriptions up to
 * those positions. A subscriber that {@link #attach attaches} gets every poll after the mark it is given.
 */
public final class LocalRouter implements FeedListener {

    /**
     * How far the feed had read.
     *
     * @param seq        the number of the poll (0: where the feed started)
     * @param positions  the next offset of every partition the feed reads
     */
    public record Mark(long seq, Map<PartitionId, Long> positions) {
    }

    /** The mark of the last poll an event loop ran; read and written on that loop only. */
    private static final class LoopMark {
        Mark mark;
    }

    private final SubscriptionTree<Subscriber, Subscription> subscriptions;
    private final Map<EventExecutor, LoopMark> loops = new ConcurrentHashMap<>();
    private static final Mark NOT_STARTED = new Mark(0, Map.of());
    private final AtomicReference<Mark> current = new AtomicReference<>(NOT_STARTED);

    public LocalRouter(SubscriptionTree<Subscriber, Subscription> subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** Where the feed started; ignored if a poll came first (its mark says more). */
    public void start(Map<PartitionId, Long> positions) {
        current.compareAndSet(NOT_STARTED, new Mark(0, Map.copyOf(positions)));
    }

    /**
     * Called on {@code loop} before a subscriber there puts its subscriptions in the tree: the loop hears of every
     * poll from now on. Once the subscriptions are in the tree, every poll after the mark {@link #current()}
     * returns then is matched against them.
     */
    public void attach(EventExecutor loop) {
        loops.computeIfAbsent(loop, l -> new LoopMark());
    }

    /** The newest poll (volatile read): polls after it see every subscription already in the tree. */
    public Mark current() {
        return current.get();
    }

    /** The mark of the last poll {@code loop} ran, or null; call on that loop. */
    public Mark loopMark(EventExecutor loop) {
        LoopMark mark = loops.get(loop);
        return mark == null ? null : mark.mark;
    }

    /** What one message's matching subscriptions of one subscriber add up to. */
    static final class Merge {
        int qos = -1;
        boolean retainAsPublished;
        int[] ids = Delivery.NO_IDS;

        void add(Subscription s) {
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            if (s.subscriptionId() != 0) {
                int[] more = Arrays.copyOf(ids, ids.length + 1);
                more[ids.length] = s.subscriptionId();
                ids = more;
            }
        }

        /**
         * Granted QoS = min(publish QoS, subscription QoS); RETAIN only with Retain As Published (MQTT-3.3.1-12/-13
         * in 5.0, MQTT-3.3.1-9 in 3.1.1).
         */
        Delivery delivery(OutboundMessage message) {
            return new Delivery(message, Math.min(message.qos(), qos), retainAsPublished && message.retain(), ids);
        }
    }

    /** MQTT-3.8.3-3: No Local keeps a client's own messages from it. */
    static boolean excluded(Subscription subscription, String clientId, OutboundMessage message) {
        return subscription.noLocal() && clientId.equals(message.publisherClientId());
    }

    /**
     * The delivery of {@code message} to a client with the given (non-shared) subscriptions, or null when none
     * matches: the same rules as live delivery, for messages read again from Kafka (catch-up).
     */
    public static Delivery match(OutboundMessage message, String clientId, Iterable<MatchingSubscription> candidates) {
        Merge merge = null;
        for (MatchingSubscription candidate : candidates) {
            Subscription subscription = candidate.subscription();
            if (candidate.filter().matches(message.topic()) && !excluded(subscription, clientId, message)) {
                if (merge == null) {
                    merge = new Merge();
                }
                merge.add(subscription);
            }
        }
        return merge == null ? null : merge.delivery(message);
    }

    /** A subscription with its parsed filter, for {@link #match}. */
    public record MatchingSubscription(io.tributary.bridge.mapping.TopicFilter filter, Subscription subscription) {
    }

    @Override
    public void onBatch(List<OutboundMessage> batch, Map<PartitionId, Long> positions) {
        Mark mark = new Mark(current.get().seq() + 1, positions);
        current.set(mark); // before matching: a subscriber that reads this mark has its subscriptions in the tree
        Map<Subscriber, List<Delivery>> perSubscriber = new IdentityHashMap<>();
        Map<Subscriber, Merge> merges = new IdentityHashMap<>();
        for (OutboundMessage message : batch) {
            merges.clear();
            subscriptions.match(message.topic(), (subscriber, subscription) -> {
                if (!excluded(subscription, subscriber.clientId(), message)) {
                    merges.computeIfAbsent(subscriber, s -> new Merge()).add(subscription);
                }
            });
            merges.forEach((subscriber, merge) -> perSubscriber
                    .computeIfAbsent(subscriber, s -> new ArrayList<>()).add(merge.delivery(message)));
        }
        Map<EventExecutor, List<Map.Entry<Subscriber, List<Delivery>>>> perLoop = new IdentityHashMap<>();
        for (Map.Entry<Subscriber, List<Delivery>> entry : perSubscriber.entrySet()) {
            perLoop.computeIfAbsent(entry.getKey().executor(), e -> new ArrayList<>()).add(entry);
        }
        long seq = mark.seq();
        loops.forEach((loop, loopMark) -> {
            List<Map.Entry<Subscriber, List<Delivery>>> entries = perLoop.getOrDefault(loop, List.of());
            loop.execute(() -> {
                for (Map.Entry<Subscriber, List<Delivery>> entry : entries) {
                    entry.getKey().deliver(entry.getValue(), seq);
                }
                loopMark.mark = mark;
            });
        });
    }
}
