package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The payload of an end-to-end message: publisher index (int), sequence number (int) and the
 * {@link System#nanoTime()} at which it was written (long), big-endian, then filler up to the
 * payload size. All clients run in one JVM, so the subscriber's nanoTime is comparable.
 */
final class SequencedPayload {

    /** Bytes of the header; the smallest payload an end-to-end message can have. */
    static final int HEADER_BYTES = 4 + 4 + 8;

    /** The decoded header. */
    record Header(int publisher, long sequence, long sentNanos) {
    }

    private final int size;
    private final byte[] filler;

    /** {@code size} >= {@link #HEADER_BYTES}; the rest is filled from a fixed non-zero pattern. */
    SequencedPayload(int size) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("payload must be >= " + HEADER_BYTES + " bytes: " + size);
        }
        this.size = size;
        this.filler = BenchRunner.payloadBytes(size - HEADER_BYTES);
    }

    ByteBuf encode(ByteBufAllocator alloc, int publisher, long sequence, long sentNanos) {
        if (sequence < 0 || sequence > Integer.MAX_VALUE) {
            // 2^31 messages from one publisher: over half an hour at 1 M msg/s
            throw new IllegalStateException("sequence number beyond 2^31-1: " + sequence);
        }
        return alloc.buffer(size, size)
                .writeInt(publisher)
                .writeInt((int) sequence)
                .writeLong(sentNanos)
                .writeBytes(filler);
    }

    /** The header of {@code payload} (its reader index is not moved), or null if it is too short to be ours. */
    static Header decode(ByteBuf payload) {
        if (payload.readableBytes() < HEADER_BYTES) {
            return null;
        }
        int at = payload.readerIndex();
        int publisher = payload.getInt(at);
        long sequence = payload.getInt(at + 4) & 0xFFFF_FFFFL;
        return new Header(publisher, sequence, payload.getLong(at + 8));
    }
}
