package io.tributary.mqtt.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.tributary.bridge.delivery.MessageReplay;
import io.tributary.bridge.delivery.OffsetRange;
import io.tributary.bridge.delivery.OutboundMessage;
import io.tributary.bridge.delivery.PartitionId;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.session.SessionState;
import io.tributary.mqtt.delivery.Delivery;
import io.tributary.mqtt.delivery.LocalRouter;
import io.tributary.mqtt.delivery.OutboundFlow;
import io.tributary.mqtt.delivery.Subscriber;
import io.tributary.mqtt.delivery.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one connection's session stands in Kafka: which messages it has been served, catching up with what it
 * missed, and writing its state to the sessions topic. Event-loop confined.
 *
 * <p><b>Served positions.</b> Live messages come from the node's feed in numbered polls ({@link LocalRouter.Mark});
 * the session has been handed everything of its subscriptions up to the mark of the last poll its event loop ran.
 * Its positions are that mark, held back to the oldest message still waiting in its queue; what is in flight is
 * kept by packet id.
 *
 * <p><b>Catch-up.</b> A resumed session first has its in-flight messages sent again (DUP) and the messages it
 * missed replayed from Kafka, from its stored positions up to the feed's mark when it attached; live messages are
 * not taken meanwhile: another round replays what the feed read during the previous one, until a round ends with
 * nothing new, and the session goes live from that mark. Rounds are read in chunks, each asked for once the
 * session's queue has room, so a session is never handed more than it can hold however much it missed. A live
 * subscriber too slow for a QoS 1 or 2 message (its queue full) falls back to catch-up from where it was handed
 * messages, instead of losing it: Kafka is the buffer, and only QoS 0 is ever dropped for a full queue.
 *
 * <p><b>Saving.</b> A persistent session writes its state on request (before SUBACK, PUBREC, PUBREL, PUBCOMP
 * that depend on it) and every checkpoint interval; saves are coalesced: one in flight at a time, and what asked
 * meanwhile is answered by the next.
 */
final class Session {

    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final BrokerContext broker;
    private final String clientId;
    private final ChannelHandlerContext ctx;
    private final OutboundFlow outbound;
    /** The connection's subscriptions (the live map), for matching what is replayed. */
    private final Map<String, Subscription> subscriptions;
    private final Supplier<SessionState> snapshot;
    private final Runnable failed;

    /** The feed's mark from which live deliveries are taken. */
    private LocalRouter.Mark liveFrom;
    /** A resumed session must not be served again what it was served elsewhere: offsets below these are skipped. */
    private Map<PartitionId, Long> floor = Map.of();

    /** The session this connection continues, until it goes live. */
    private SessionState resumed;

    /** The running catch-up round, or null when live. */
    private Round round;

    private long epoch = -1;
    private boolean persistent;
    private boolean saving;
    private List<Runnable> waitingForSave = new ArrayList<>();
    private boolean changed;
    private boolean written;
    private boolean closed;
    private Map<PartitionId, Long> finalPositions;

    /**
     * One pass of catch-up: replaying {@code from} up to {@code to} (a mark of the feed), in chunks of at most
     * {@code chunk} offsets per partition, each asked for once the session's queue has room: a session is never
     * handed more from Kafka than it can hold, however much it missed.
     */
    private final class Round {
        final Map<PartitionId, Long> from;
        final Map<PartitionId, Long> to;
        /** The next offset to ask for, per partition. */
        final Map<PartitionId, Long> cursor;
        final Map<PartitionId, Long> handedUpTo = new HashMap<>();
        /** In-flight messages of the resumed session to send again, by where they are in Kafka. */
        final Map<PartitionId, Map<Long, SessionState.StoredInflight>> inflight;
        /** Their ranges, asked for with the first chunk. */
        List<OffsetRange> inflightRanges;
        List<LocalRouter.MatchingSubscription> subscriptions;
        CompletableFuture<MessageReplay.Result> replay;
        boolean waitingForRoom;

        Round(Map<PartitionId, Long> from, Map<PartitionId, Long> to,
              Map<PartitionId, Map<Long, SessionState.StoredInflight>> inflight, List<OffsetRange> inflightRanges) {
            this.from = from;
            this.to = to;
            this.cursor = new HashMap<>(from);
            this.inflight = inflight;
            this.inflightRanges = inflightRanges;
        }

        /** The next chunk's ranges; empty when the round has asked for everything. */
        List<OffsetRange> nextChunk() {
            List<OffsetRange> ranges = new ArrayList<>(inflightRanges);
            inflightRanges = List.of();
            long chunk = broker.settings().maxQueuedMessages();
            cursor.forEach((partition, next) -> {
                long end = Math.min(to.getOrDefault(partition, next), next + chunk);
                if (end > next) {
                    ranges.add(new OffsetRange(partition, next, end));
                    cursor.put(partition, end);
                }
            });
            return ranges;
        }
    }

    Session(BrokerContext broker, String clientId, ChannelHandlerContext ctx, OutboundFlow outbound,
            Map<String, Subscription> subscriptions, Supplier<SessionState> snapshot, Runnable failed) {
        this.broker = broker;
        this.clientId = clientId;
        this.ctx = ctx;
        this.outbound = outbound;
        this.subscriptions = subscriptions;
        this.snapshot = snapshot;
        this.failed = failed;
    }

    private EventExecutor loop() {
        return ctx.executor();
    }

    /** Registers the event loop with the router; call before the subscriptions are put in the tree. */
    void attach() {
        broker.router().attach(loop());
    }

    /**
     * The session belongs to the claim {@code epoch}: from now on it is saved as that claim's, with the positions
     * of {@code resumed} (null: a new session) until {@link #goLive} moves them.
     */
    void start(long epoch, boolean persistent, SessionState resumed) {
        this.epoch = epoch;
        this.persistent = persistent;
        this.resumed = resumed;
        if (resumed != null) {
            floor = resumed.positions();
        }
    }

    /**
     * The subscriptions are in the tree (and, in routed mode, routed here): live deliveries are taken from the
     * current mark on; a resumed session first catches up with what it missed since its positions.
     */
    void goLive() {
        LocalRouter.Mark mark = broker.router().current();
        liveFrom = mark;
        SessionState resumed = this.resumed;
        this.resumed = null;
        if (resumed == null) {
            return;
        }
        Map<PartitionId, Map<Long, SessionState.StoredInflight>> inflight = new HashMap<>();
        List<OffsetRange> inflightRanges = new ArrayList<>();
        for (SessionState.StoredInflight stored : resumed.inflight()) {
            if (stored.released()) {
                outbound.resendRelease(stored); // MQTT-4.4.0-1: PUBREL again, the client has the message
            } else {
                inflight.computeIfAbsent(stored.partition(), p -> new HashMap<>()).put(stored.offset(), stored);
                inflightRanges.add(new OffsetRange(stored.partition(), stored.offset(), stored.offset() + 1));
            }
        }
        Map<PartitionId, Long> from = new HashMap<>();
        mark.positions().forEach((partition, to) -> {
            Long position = resumed.positions().get(partition);
            from.put(partition, position == null ? to : Math.min(position, to));
        });
        ctx.flush();
        startRound(new Round(from, mark.positions(), inflight, inflightRanges));
    }

    private List<LocalRouter.MatchingSubscription> matching() {
        List<LocalRouter.MatchingSubscription> matching = new ArrayList<>();
        for (Subscription subscription : subscriptions.values()) {
            if (!subscription.shared()) {
                matching.add(new LocalRouter.MatchingSubscription(TopicFilter.parse(subscription.filter()),
                        subscription));
            }
        }
        return matching;
    }

    private void startRound(Round next) {
        round = next;
        nextChunk(next);
    }

    /** Asks for the round's next chunk if the queue has room, else waits for {@link #roomMade}. */
    private void nextChunk(Round current) {
        if (!outbound.hasRoom()) {
            current.waitingForRoom = true;
            return;
        }
        current.waitingForRoom = false;
        List<OffsetRange> ranges = current.nextChunk();
        if (ranges.isEmpty()) {
            roundDone(current);
            return;
        }
        current.subscriptions = matching(); // subscriptions made meanwhile count from here on
        current.replay = broker.replay().replay(ranges, batch -> loop().execute(() -> replayed(current, batch)));
        current.replay.whenComplete((result, failure) -> loop().execute(() -> chunkDone(current, result, failure)));
    }

    /** The client acknowledged messages or the channel became writable: a waiting catch-up may go on. */
    void roomMade() {
        if (!closed && round != null && round.waitingForRoom) {
            nextChunk(round);
        }
    }

    private void replayed(Round from, List<OutboundMessage> batch) {
        if (closed || round != from) {
            return;
        }
        for (OutboundMessage message : batch) {
            PartitionId partition = new PartitionId(message.kafkaTopic(), message.partition());
            Map<Long, SessionState.StoredInflight> inflight = from.inflight.get(partition);
            SessionState.StoredInflight stored = inflight == null ? null : inflight.remove(message.offset());
            if (stored != null) {
                int[] ids = stored.subscriptionIds().stream().mapToInt(Integer::intValue).toArray();
                outbound.resend(new Delivery(message, stored.qos(), stored.retain(), ids), stored.packetId());
                broker.metrics().messagesReplayed.increment();
                continue;
            }
            if (belowFloor(partition, message.offset())) {
                continue;
            }
            Delivery delivery = LocalRouter.match(message, clientId, from.subscriptions);
            if (delivery != null) {
                outbound.deliver(delivery, false); // paced by the chunks: never dropped for a full queue
                broker.metrics().messagesReplayed.increment();
                changed = true;
            }
            from.handedUpTo.merge(partition, message.offset() + 1, Math::max);
        }
        ctx.flush();
    }

    private void chunkDone(Round done, MessageReplay.Result result, Throwable failure) {
        if (closed || round != done) {
            return;
        }
        if (failure != null) {
            if (!(failure instanceof CancellationException)) {
                log.warn("client '{}': replaying what it missed failed: {}", clientId, failure.toString());
                failed.run();
            }
            return;
        }
        broker.metrics().messagesLostToRetention.add(result.missing());
        nextChunk(done);
    }

    private void roundDone(Round done) {
        LocalRouter.Mark now = broker.router().current();
        if (now.seq() == liveFrom.seq()) {
            round = null; // caught up: live from here
            return;
        }
        // the feed read more meanwhile, which this session did not take live: replay that too
        Map<PartitionId, Long> from = new HashMap<>();
        now.positions().forEach((partition, to) -> {
            Long start = liveFrom.positions().get(partition);
            from.put(partition, start == null ? to : Math.min(start, to));
        });
        liveFrom = now;
        startRound(new Round(from, now.positions(), Map.of(), List.of()));
    }

    /**
     * A live QoS 1 or 2 message found the session's queue full: rather than drop it, the session goes back to
     * Kafka for it and what follows, from where it has been handed messages, at its own pace.
     */
    private void fallBehind(List<Delivery> deliveries, int firstNotHanded) {
        LocalRouter.Mark ran = broker.router().loopMark(loop());
        Map<PartitionId, Long> from = new HashMap<>(
                ran != null && ran.seq() >= liveFrom.seq() ? ran.positions() : liveFrom.positions());
        for (int i = 0; i < firstNotHanded; i++) {
            OutboundMessage handed = deliveries.get(i).message();
            from.merge(new PartitionId(handed.kafkaTopic(), handed.partition()), handed.offset() + 1, Math::max);
        }
        floor.forEach((partition, offset) -> from.merge(partition, offset, Math::max));
        LocalRouter.Mark now = broker.router().current();
        from.replaceAll((partition, offset) -> Math.min(offset, now.positions().getOrDefault(partition, offset)));
        liveFrom = now;
        broker.metrics().slowSubscriberCatchUps.increment();
        startRound(new Round(from, now.positions(), Map.of(), List.of()));
    }

    /** True while the session is still catching up. */
    boolean catchingUp() {
        return round != null;
    }

    /** Deliveries from the feed (poll {@code seq}) or from a share ({@link Subscriber#SHARED}); on the event loop. */
    void deliver(List<Delivery> deliveries, long seq) {
        if (seq != Subscriber.SHARED && (liveFrom == null || round != null || seq <= liveFrom.seq())) {
            return; // replayed instead, or already covered when the session attached
        }
        changed = true;
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery delivery = deliveries.get(i);
            OutboundMessage message = delivery.message();
            if (seq == Subscriber.SHARED) {
                outbound.deliver(delivery, true);
                continue;
            }
            if (!floor.isEmpty()
                    && belowFloor(new PartitionId(message.kafkaTopic(), message.partition()), message.offset())) {
                continue;
            }
            if (delivery.qos() > 0 && outbound.wouldOverflow(delivery)) {
                fallBehind(deliveries, i);
                return;
            }
            outbound.deliver(delivery, true);
        }
    }

    private boolean belowFloor(PartitionId partition, long offset) {
        Long min = floor.get(partition);
        return min != null && offset < min;
    }

    /**
     * The positions up to which this session has been served (see the class comment); once closed, those it had
     * then.
     */
    Map<PartitionId, Long> positions() {
        if (closed) {
            return finalPositions;
        }
        Map<PartitionId, Long> positions = new HashMap<>();
        if (round != null) {
            positions.putAll(round.from);
            round.handedUpTo.forEach((partition, offset) -> positions.merge(partition, offset, Math::max));
        } else if (liveFrom != null) {
            LocalRouter.Mark ran = broker.router().loopMark(loop());
            positions.putAll(ran != null && ran.seq() >= liveFrom.seq() ? ran.positions() : liveFrom.positions());
        }
        floor.forEach((partition, offset) -> positions.merge(partition, offset, Math::max));
        outbound.oldestQueued().forEach((partition, offset) -> positions.merge(partition, offset, Math::min));
        return positions;
    }

    boolean persistent() {
        return persistent;
    }

    void persistent(boolean persistent) {
        this.persistent = persistent;
    }

    long epoch() {
        return epoch;
    }

    /**
     * Runs {@code then} on the event loop once Kafka has the session's state as it is now (or at once when the
     * session is not persistent). If the state cannot be written, the connection is closed and {@code then} is
     * not run.
     */
    void saved(Runnable then) {
        if (!persistent) {
            then.run();
            return;
        }
        if (closed) {
            return; // the connection is gone: its release is its last state, nothing is written after it
        }
        waitingForSave.add(then);
        if (!saving) {
            save();
        }
    }

    /**
     * Something was delivered or acknowledged: the next checkpoint writes the state. (Positions alone move with
     * every poll; a session that was handed nothing does not write them every interval: after a crash it reads
     * a little more again, and skips what does not match.)
     */
    void changed() {
        changed = true;
    }

    /** Writes a checkpoint when nothing is being written and something changed since the last one. */
    void checkpoint() {
        if (persistent && !saving && !closed && (changed || !written)) {
            save();
        }
    }

    private void save() {
        saving = true;
        changed = false;
        written = true;
        List<Runnable> answered = waitingForSave;
        waitingForSave = new ArrayList<>();
        broker.sessions().save(epoch, snapshot.get()).whenComplete((ok, failure) -> loop().execute(() -> {
            saving = false;
            if (failure != null) {
                log.warn("client '{}': its session state did not reach Kafka: {}", clientId, failure.toString());
                failed.run();
                return;
            }
            answered.forEach(Runnable::run);
            ctx.flush();
            // once closed, the release is the last state: a checkpoint written after it would hide it
            if (!waitingForSave.isEmpty() && !closed) {
                save();
            }
        }));
    }

    /** The connection is ending: nothing more is delivered, the positions stay where they are now. */
    void close() {
        if (closed) {
            return;
        }
        finalPositions = positions();
        closed = true;
        if (round != null && round.replay != null) {
            round.replay.cancel(false);
        }
        round = null;
    }
}
