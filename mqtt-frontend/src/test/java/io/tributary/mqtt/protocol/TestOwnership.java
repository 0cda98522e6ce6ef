package io.tributary.mqtt.protocol;

import io.tributary.bridge.session.SessionOwnership;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Claims confirmed at once with increasing epochs, or held back until the test confirms or fails them. */
final class TestOwnership implements SessionOwnership {

    private long nextEpoch;
    boolean holdClaims;
    CompletableFuture<Long> held;

    @Override
    public void start(ClaimListener listener) {
    }

    @Override
    public CompletionStage<Long> claim(String clientId) {
        if (holdClaims) {
            held = new CompletableFuture<>();
            return held;
        }
        return CompletableFuture.completedFuture(nextEpoch++);
    }

    final java.util.List<String> released = new java.util.ArrayList<>();

    @Override
    public void release(String clientId) {
        released.add(clientId);
    }

    @Override
    public void close() {
    }
}
