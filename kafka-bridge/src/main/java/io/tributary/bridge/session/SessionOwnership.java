package io.tributary.bridge.session;

import java.util.concurrent.CompletionStage;

/**
 * Which broker node holds each client's connection, kept in the compacted sessions topic (DESIGN.md, ownership
 * and takeover). A node claims a client id when it accepts a connection; the offset of the claim record is the
 * ownership epoch, a fencing token: every node watches the claims of the others, and a node whose connection of a
 * client has a lower epoch than a newer claim closes it (MQTT 5 reason 0x8E). Nothing is held that a dead node
 * could leave stuck: the newest claim simply wins.
 */
public interface SessionOwnership extends AutoCloseable {

    /** Watches claims made after this returns; the listener runs on the watcher's thread. */
    void start(ClaimListener listener);

    /**
     * Claims {@code clientId} for this node. Completes with the epoch once Kafka has the claim ({@code acks=all}),
     * or exceptionally when Kafka cannot confirm it in time. May complete on a Kafka thread.
     */
    CompletionStage<Long> claim(String clientId);

    /**
     * The connection of {@code clientId} ended and its session with it: removes the claim (a tombstone), so the
     * compacted topic does not keep one record for every client id ever seen. Fire and forget.
     */
    void release(String clientId);

    @Override
    void close();

    /** A claim seen in the sessions topic. */
    @FunctionalInterface
    interface ClaimListener {
        void onClaim(String clientId, String nodeId, long epoch);
    }
}
