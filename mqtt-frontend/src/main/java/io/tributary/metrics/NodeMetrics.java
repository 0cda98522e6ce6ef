package io.tributary.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.tributary.mqtt.protocol.ProtocolMetrics;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The meters of one node, read from the counters the protocol layer and the Kafka side keep anyway (nothing is
 * counted twice on the hot path). Names are Micrometer's; Prometheus shows {@code tributary.publishes.received}
 * as {@code tributary_publishes_received_total}.
 */
public final class NodeMetrics {

    private NodeMetrics() {
    }

    /** Sources of gauges that live outside the protocol layer. */
    public record Gauges(DoubleSupplier connections, DoubleSupplier subscriptions, DoubleSupplier kafkaInflightBytes,
                         DoubleSupplier feedRecordsRead, DoubleSupplier feedBytesRead,
                         DoubleSupplier feedRecordsSkipped,
                         DoubleSupplier sharedGivenUp, DoubleSupplier willsPublished,
                         DoubleSupplier sessionsExpired, DoubleSupplier retainedTopics) {
    }

    /**
     * Registers the meters; keep the result while the node runs (it holds the gauges' sources) and close it when
     * the node stops (it watches GC notifications).
     */
    public static AutoCloseable bind(MeterRegistry registry, String nodeId, ProtocolMetrics protocol,
                                     Gauges gauges) {
        registry.config().commonTags("node", nodeId);
        counter(registry, "tributary.connects", "CONNECTs accepted", protocol.connections);
        counter(registry, "tributary.connects.refused", "CONNECTs refused or closed before CONNACK",
                protocol.connectsRefused);
        counter(registry, "tributary.publishes.received", "PUBLISH packets received from clients",
                protocol.publishesReceived);
        counter(registry, "tributary.publishes.acknowledged", "QoS 1/2 publishes Kafka acknowledged",
                protocol.publishesAcknowledged);
        counter(registry, "tributary.publishes.failed", "publishes Kafka did not take", protocol.publishesFailed);
        counter(registry, "tributary.publishes.invalid",
                "QoS 1/2 publishes whose payload did not fit their rule's format (sent to the dead-letter topic)",
                protocol.publishesInvalid);
        counter(registry, "tributary.publishes.qos2.duplicates", "QoS 2 retransmissions not produced again",
                protocol.qos2Duplicates);
        counter(registry, "tributary.protocol.violations", "connections closed for a protocol violation",
                protocol.protocolViolations);
        counter(registry, "tributary.backpressure.pauses", "times a connection stopped being read",
                protocol.pausedForBackPressure);
        counter(registry, "tributary.messages.sent", "PUBLISH packets sent to subscribers", protocol.messagesSent);
        counter(registry, "tributary.sessions.resumed", "persistent sessions that went on with a new connection",
                protocol.sessionsResumed);
        counter(registry, "tributary.messages.replayed", "messages read again from Kafka for resumed sessions",
                protocol.messagesReplayed);
        counter(registry, "tributary.messages.lost.retention",
                "records a resumed session missed that Kafka retention had deleted", protocol.messagesLostToRetention);
        counter(registry, "tributary.subscribers.caught.up",
                "times a subscriber too slow for a QoS 1/2 message went back to Kafka for it instead of losing it",
                protocol.slowSubscriberCatchUps);
        counter(registry, "tributary.retained.sent", "retained messages handed to new subscriptions",
                protocol.retainedSent);
        dropped(registry, "queue-full", protocol.droppedQueueFull);
        dropped(registry, "expired", protocol.droppedExpired);
        dropped(registry, "too-large", protocol.droppedTooLarge);

        Gauge.builder("tributary.connections", gauges.connections()::getAsDouble)
                .description("clients connected to this node").register(registry);
        Gauge.builder("tributary.subscriptions", gauges.subscriptions()::getAsDouble)
                .description("subscriptions of the clients connected to this node").register(registry);
        Gauge.builder("tributary.retained.topics", gauges.retainedTopics()::getAsDouble)
                .description("topics with a retained message in this node's view").register(registry);
        Gauge.builder("tributary.kafka.inflight.bytes", gauges.kafkaInflightBytes()::getAsDouble)
                .description("bytes handed to Kafka and not yet acknowledged").baseUnit("bytes").register(registry);
        FunctionCounter.builder("tributary.messages.dropped", gauges, g -> g.sharedGivenUp().getAsDouble())
                .description("messages not delivered to a subscriber").tag("reason", "no-share-member")
                .register(registry);
        FunctionCounter.builder("tributary.wills.delayed.published", gauges, g -> g.willsPublished().getAsDouble())
                .description("wills of offline sessions published by this node").register(registry);
        FunctionCounter.builder("tributary.sessions.expired", gauges, g -> g.sessionsExpired().getAsDouble())
                .description("offline sessions this node removed when they expired").register(registry);
        FunctionCounter.builder("tributary.feed.records.read", gauges, g -> g.feedRecordsRead().getAsDouble())
                .description("records read from the message topics").register(registry);
        FunctionCounter.builder("tributary.feed.bytes.read", gauges, g -> g.feedBytesRead().getAsDouble())
                .description("key and value bytes of the records the feed read (message topics in broadcast mode,"
                        + " this node's deliveries partition in routed mode)").baseUnit("bytes").register(registry);
        FunctionCounter.builder("tributary.feed.records.skipped", gauges, g -> g.feedRecordsSkipped().getAsDouble())
                .description("records that could not be delivered as MQTT messages").register(registry);

        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        // Micrometer holds a function counter's state object weakly: the binding holds the gauges for as long as
        // the node keeps it, or their counters would stop at the first garbage collection
        return new Binding(gauges, gc);
    }

    /** What {@link #bind} returns: keeps the gauges reachable, closes the GC metrics. */
    private record Binding(Gauges gauges, JvmGcMetrics gc) implements AutoCloseable {
        @Override
        public void close() {
            gc.close();
        }
    }

    private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    private static void dropped(MeterRegistry registry, String reason, LongAdder adder) {
        FunctionCounter.builder("tributary.messages.dropped", adder, LongAdder::sum)
                .description("messages not delivered to a subscriber").tag("reason", reason).register(registry);
    }
}
