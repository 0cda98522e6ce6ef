package io.tributary.bridge.session;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Sessions and their owners, kept in the compacted sessions topic keyed by client id (DESIGN.md, ownership and
 * takeover). Every node reads the whole topic, so it knows every stored session.
 *
 * <p>A node claims a client id when it accepts a connection; the offset of the claim record is the ownership
 * epoch, a fencing token: a connection whose claim is older than a newer claim of its client id is closed (MQTT 5
 * reason 0x8E). State records carry the epoch of the claim they belong to. When a connection of a persistent
 * session ends, its node writes a last state with {@link SessionState#endedAtMs()} set: the release, which the
 * next owner waits for (bounded, and not at all when the previous owner's node is not live). A connection closed
 * because a newer claim took its client id over writes its release under its own (older) epoch, also when its
 * session is not persistent (then with Session Expiry 0, which the next owner finds expired), and never a
 * tombstone, which would remove the newer claim too; otherwise the next owner waits the whole handover timeout.
 *
 * <p>Nodes write a heartbeat to the topic every second; a node not heard from for a few seconds is not live, and
 * its sessions are looked after (wills, expiry) by the live node {@link #responsibleFor responsible} for them.
 */
public interface SessionStore extends AutoCloseable {

    /**
     * Reads the sessions topic up to its current end (so every stored session is known), starts the heartbeat,
     * then watches claims made from now on. Returns when caught up.
     */
    void start(ClaimListener listener);

    /**
     * Claims {@code clientId} for this node. With {@code cleanStart} the stored session of the client is discarded
     * (MQTT 5 Clean Start, 3.x Clean Session); otherwise the claim record carries the newest stored state this node
     * knows, so that compaction can never leave the claim as the only trace of the session. Completes with the
     * epoch once Kafka has the claim ({@code acks=all}), or exceptionally when Kafka cannot confirm it in time.
     * May complete on a Kafka thread.
     */
    CompletionStage<Long> claim(String clientId, boolean cleanStart);

    /**
     * The stored session that the claim with {@code epoch} takes over: once this store has read the sessions topic
     * up to the claim, the newest state written before it; if that is a checkpoint of a connection that has not
     * ended, on a live node, first waits for that connection's release (at most the handover timeout, then takes
     * the checkpoint). Null when there is none, or the claim was a clean start. Expiry is the caller's decision
     * ({@link SessionState#expiredAt}). May complete on the store's thread.
     *
     * <p>For a claim this store made ({@link #claim}, after {@link #start}), once per claim; otherwise it
     * completes exceptionally.
     */
    CompletionStage<SessionState> resume(String clientId, long epoch);

    /**
     * Writes {@code state} as the state of the claim {@code epoch}: a checkpoint while connected, the release
     * when {@link SessionState#endedAtMs()} is set. Completes when Kafka has it. The state is stored as written by
     * this node: read back, its {@link SessionState#nodeId()} is this node's. A state of an epoch older than the
     * client's newest claim is written too (it is the release the newer owner may be waiting for), but it never
     * replaces the newer owner's state.
     */
    CompletionStage<Void> save(long epoch, SessionState state);

    /**
     * Removes the client's session (a tombstone): a session that ended with its connection (Session Expiry 0),
     * or that expired. Fire and forget. Only for the owner of the newest claim (or for nobody's session): the
     * tombstone removes every record of the client id, a newer claim included.
     */
    void remove(String clientId);

    /**
     * Sessions whose connection ended (or whose owner node is no longer live) and that still have a will or a
     * finite expiry: what the node that is {@link #responsibleFor responsible} for them has to look after. For a
     * session of a node that died, {@link SessionState#endedAtMs()} is when that node was last heard from.
     */
    Collection<OfflineSession> offlineSessions();

    /** An offline session and the epoch of the claim its state belongs to (to {@link #save} it under). */
    record OfflineSession(long epoch, SessionState state) {
    }

    /**
     * True when this node looks after the offline session of {@code clientId}: the client id's partition of the
     * sessions topic, modulo the number of live nodes, picks one of them in node id order.
     */
    boolean responsibleFor(String clientId);

    @Override
    void close();

    /** A claim seen in the sessions topic (on any node, this one included). */
    @FunctionalInterface
    interface ClaimListener {
        void onClaim(String clientId, String nodeId, long epoch, boolean cleanStart);
    }
}
