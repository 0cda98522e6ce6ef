package io.tributary.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequencedPayloadTest {

    @Test
    void headerRoundTripsAndThePayloadHasTheConfiguredSize() {
        ByteBuf buf = new SequencedPayload(64).encode(ByteBufAllocator.DEFAULT, 7, 123_456, 987_654_321_000L);
        try {
            assertThat(buf.readableBytes()).isEqualTo(64);
            assertThat(SequencedPayload.decode(buf)).isEqualTo(new SequencedPayload.Header(7, 123_456, 987_654_321_000L));
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void theSmallestPayloadIsTheHeader() {
        ByteBuf buf = new SequencedPayload(SequencedPayload.HEADER_BYTES)
                .encode(ByteBufAllocator.DEFAULT, 0, Integer.MAX_VALUE, -5L); // nanoTime may be negative
        try {
            assertThat(buf.readableBytes()).isEqualTo(16);
            assertThat(SequencedPayload.decode(buf)).isEqualTo(new SequencedPayload.Header(0, Integer.MAX_VALUE, -5L));
        } finally {
            buf.release();
        }
        assertThatThrownBy(() -> new SequencedPayload(15)).hasMessageContaining(">= 16");
    }

    @Test
    void decodesFromTheReaderIndexAndRejectsShortPayloads() {
        ByteBuf buf = Unpooled.buffer().writeByte(0xFF).writeInt(3).writeInt(4).writeLong(5);
        buf.readByte();

        assertThat(SequencedPayload.decode(buf)).isEqualTo(new SequencedPayload.Header(3, 4, 5));
        assertThat(SequencedPayload.decode(Unpooled.wrappedBuffer(new byte[15]))).isNull();
    }

    @Test
    void sequenceNumbersBeyondAnIntAreRefused() {
        SequencedPayload p = new SequencedPayload(16);
        assertThatThrownBy(() -> p.encode(ByteBufAllocator.DEFAULT, 0, 1L << 31, 0)).isInstanceOf(IllegalStateException.class);
    }
}
