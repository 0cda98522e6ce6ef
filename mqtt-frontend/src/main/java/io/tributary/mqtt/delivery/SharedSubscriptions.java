package io.tributary.mqtt.delivery;

import io.tributary.bridge.delivery.DeliveryListener;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.SharedFeed;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shared subscriptions ({@code $share/{ShareName}/{filter}}) of the clients connected to this node. Each share
 * with members here reads its {@link SharedFeed}, which gives this node its part of the share's messages (across
 * all nodes each message goes to one node); the node hands each to one member, in turn. A message a member could
 * not take, or left unacknowledged at QoS 1 when it went away, goes to another member (MQTT 5 4.8.2); the feed
 * hears when a member is done with a message, so nothing is lost when members or nodes leave.
 */
public final class SharedSubscriptions {

    private record Key(String shareName, String filter) {
    }

    private record Member(Subscriber subscriber, Subscription subscription) {
    }

    private final SharedFeed.Factory feeds;
    private final Map<Key, Group> groups = new ConcurrentHashMap<>();
    /** Closing a feed waits for its thread: never on an event loop. */
    private final Executor closer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "tributary-share-closer");
        thread.setDaemon(true);
        return thread;
    });
    public final LongAdder givenUp = new LongAdder();

    public SharedSubscriptions(SharedFeed.Factory feeds) {
        this.feeds = feeds;
    }

    /**
     * Adds (or replaces) {@code subscriber} as a member of the share; completes when messages published from now
     * on reach the share's members here. Any thread.
     */
    public CompletionStage<Void> join(Subscriber subscriber, Subscription subscription) {
        Key key = new Key(subscription.shareName(), subscription.filter());
        Group group = groups.compute(key, (k, existing) -> {
            Group g = existing != null ? existing : new Group(k);
            g.members.removeIf(m -> m.subscriber() == subscriber);
            g.members.add(new Member(subscriber, subscription));
            return g;
        });
        return group.started;
    }

    /** Removes {@code subscriber} from the share; the last member to leave closes the share's feed here. */
    public void leave(Subscriber subscriber, String shareName, String filter) {
        Key key = new Key(shareName, filter);
        groups.computeIfPresent(key, (k, g) -> {
            g.members.removeIf(m -> m.subscriber() == subscriber);
            if (g.members.isEmpty()) {
                closer.execute(g.feed::close); // what it did not finish is delivered from the last commit
                return null;
            }
            return g;
        });
    }

    public int shareCount() {
        return groups.size();
    }

    /** Stops every share's feed (the node is stopping). */
    public void close() {
        groups.values().forEach(g -> g.feed.close());
        groups.clear();
    }

    private final class Group implements DeliveryListener, Delivery.Callback {
        final Key key;
        final List<Member> members = new CopyOnWriteArrayList<>();
        final SharedFeed feed;
        final CompletionStage<Void> started;
        final AtomicInteger turn = new AtomicInteger();
        /** How often a message was handed back, to stop after every member had a go. */
        final Map<OutboundMessage, Integer> attempts = new ConcurrentHashMap<>();

        Group(Key key) {
            this.key = key;
            this.feed = feeds.open(key.shareName(), key.filter());
            CompletionStage<Void> start;
            try {
                start = feed.start(this);
            } catch (RuntimeException e) {
                start = CompletableFuture.failedFuture(e);
            }
            this.started = start;
        }

        @Override
        public void onMessages(List<OutboundMessage> batch) {
            for (OutboundMessage message : batch) {
                give(message);
            }
        }

        private void give(OutboundMessage message) {
            List<Member> now = members;
            int count = now.size();
            if (count == 0) {
                return; // the share is closing here: not done, so it is delivered again from the last commit
            }
            Member member = now.get(Math.floorMod(turn.getAndIncrement(), count));
            Delivery delivery = new Delivery(message, Math.min(message.qos(), member.subscription().qos()), false,
                    member.subscription().subscriptionId() == 0 ? Delivery.NO_IDS
                            : new int[] {member.subscription().subscriptionId()}, this);
            member.subscriber().executor().execute(() -> member.subscriber().deliver(List.of(delivery), Subscriber.SHARED));
        }

        @Override
        public void completed(Delivery delivery) {
            attempts.remove(delivery.message());
            feed.done(delivery.message());
        }

        @Override
        public void abandoned(Delivery delivery) {
            OutboundMessage message = delivery.message();
            int tries = attempts.merge(message, 1, Integer::sum);
            if (tries > members.size()) {
                attempts.remove(message);
                givenUp.increment(); // no member could take it: like a slow subscriber's queue, it is dropped
                feed.done(message);
                return;
            }
            give(message);
        }
    }
}
