package io.tributary.mqtt.protocol;

import io.tributary.bridge.publish.InboundPublish;
import io.tributary.bridge.publish.MessagePublisher;
import io.tributary.bridge.publish.PublishAck;
import io.tributary.bridge.publish.PublishFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An in-memory publisher whose acknowledgements the test gives, one by one: Kafka's role in unit tests. */
final class ControllablePublisher implements MessagePublisher {

    record Pending(InboundPublish message, CompletableFuture<PublishAck> ack) {
    }

    final List<Pending> published = new ArrayList<>();
    private final List<Runnable> reliefActions = new ArrayList<>();
    boolean saturated;

    @Override
    public CompletionStage<PublishAck> publish(InboundPublish message) {
        CompletableFuture<PublishAck> ack = new CompletableFuture<>();
        published.add(new Pending(message, ack));
        return ack;
    }

    /** Kafka acknowledges every message still pending. */
    void acknowledgeAll() {
        for (int i = 0; i < published.size(); i++) {
            published.get(i).ack().complete(new PublishAck("mqtt.messages", 0, i, System.currentTimeMillis()));
        }
    }

    void fail(int index, boolean transientFailure) {
        published.get(index).ack().completeExceptionally(
                new PublishFailedException("test failure", transientFailure, null));
    }

    List<InboundPublish> messages() {
        return published.stream().map(Pending::message).toList();
    }

    @Override
    public boolean saturated() {
        return saturated;
    }

    @Override
    public void whenRelieved(Runnable action) {
        if (saturated) {
            reliefActions.add(action);
        } else {
            action.run();
        }
    }

    void relieve() {
        saturated = false;
        List<Runnable> actions = new ArrayList<>(reliefActions);
        reliefActions.clear();
        actions.forEach(Runnable::run);
    }

    @Override
    public void close() {
    }
}
