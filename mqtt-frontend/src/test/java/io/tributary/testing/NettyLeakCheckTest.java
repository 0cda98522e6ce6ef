package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check can fail: a buffer dropped without release is reported. */
class NettyLeakCheckTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReported() {
        NettyLeakCheck.install();
        leak();
        assertThat(NettyLeakCheck.collect()).isNotEmpty(); // collect() also forgets it, so afterAll passes
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeInt(42); // and never released
    }
}
