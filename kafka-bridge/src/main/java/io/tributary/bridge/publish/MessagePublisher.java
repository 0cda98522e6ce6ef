package io.tributary.bridge.publish;

import java.util.concurrent.CompletionStage;

/**
 * Publishes MQTT messages into Kafka. The only way the protocol layer reaches Kafka on the way in.
 *
 * <p>{@link #publish} never blocks the calling thread (a Netty event loop). The returned stage completes
 * once Kafka has acknowledged the record (with {@code acks=all} for QoS 1 and 2), or exceptionally when
 * Kafka refused it or it could not be delivered in time: the caller must then not acknowledge the message.
 * Stages may complete on a Kafka thread.
 *
 * <p>Back-pressure: the publisher bounds the bytes it holds for Kafka. When {@link #saturated()} is true the
 * caller should stop reading from publishers and call {@link #whenRelieved} to learn when to resume.
 * Calls to {@code publish} while saturated are still accepted (what was already read must go somewhere),
 * so memory stays bounded by the budget plus what the paused connections had already read.
 */
public interface MessagePublisher extends AutoCloseable {

    CompletionStage<PublishAck> publish(InboundPublish message);

    /** True while the bytes held for Kafka are above the high watermark. */
    boolean saturated();

    /**
     * Runs {@code action} once, as soon as the publisher is no longer saturated (at once if it is not now).
     * The action may run on any thread.
     */
    void whenRelieved(Runnable action);

    /** Sends what is buffered and waits for it, then releases the Kafka client. */
    @Override
    void close();
}
