package io.tributary.mqtt.protocol;

import io.tributary.bridge.delivery.DeliveryListener;
import io.tributary.bridge.delivery.MessageReplay;
import io.tributary.bridge.delivery.OffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Replay requests kept for the test to answer. */
final class TestReplay implements MessageReplay {

    record Request(List<OffsetRange> ranges, DeliveryListener listener, CompletableFuture<Result> result) {
    }

    final List<Request> requests = new ArrayList<>();

    @Override
    public void start() {
    }

    @Override
    public CompletableFuture<Result> replay(List<OffsetRange> ranges, DeliveryListener listener) {
        Request request = new Request(List.copyOf(ranges), listener, new CompletableFuture<>());
        requests.add(request);
        return request.result();
    }

    @Override
    public void close() {
    }
}
