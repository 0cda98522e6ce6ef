package io.tributary.bridge.delivery;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads messages again from given positions of the message topics: what a persistent session missed while it was
 * offline or on another node (catch-up, DESIGN.md), and the messages it had in flight. One reader per node serves
 * every request; requests pending together are served in one pass over each partition.
 */
public interface MessageReplay extends AutoCloseable {

    /** Starts the reader thread; requests made before wait for it. */
    void start();

    /**
     * Reads {@code ranges} and hands their messages to {@code listener} in batches, in offset order within each
     * partition, on the reader's thread (do not block it). Ranges may overlap (e.g. single offsets of messages in
     * flight and a catch-up range): each offset is handed over at most once; empty ranges are ignored. Records that
     * are not MQTT messages (tombstones, records without a valid topic) are skipped. A range that starts below the
     * partition's log start offset (retention deleted those records) starts at the log start, and a range is not
     * read past the partition's end offset (as it was when reading started); what is not there is counted in the
     * result.
     *
     * <p>The future completes, on the reader's thread, after the last batch was handed over; at once when there is
     * nothing to read. Cancelling it (or completing it otherwise, e.g. by a timeout) stops the request before its
     * next batch. It completes exceptionally if the reader is closed, the listener throws, or a partition cannot
     * be read (e.g. its topic was deleted); the exception then names the partition.
     */
    CompletableFuture<Result> replay(List<OffsetRange> ranges, DeliveryListener listener);

    /** Stops the reader; pending requests complete exceptionally. */
    @Override
    void close();

    /**
     * @param messages  messages handed to the listener
     * @param skipped   records in the ranges that were not MQTT messages
     * @param missing   offsets in the ranges below the log start offset (deleted by retention) or at or after the
     *                  end offset
     */
    record Result(long messages, long skipped, long missing) {
    }
}
