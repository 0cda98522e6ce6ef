package io.tributary.bridge.routing;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import io.tributary.schemas.RoutingCodecs;
import io.tributary.schemas.routing.ClientSubscriptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routed mode: writes each client's non-shared filters and node to the compacted subscriptions topic
 * ({@code ClientSubscriptions}, keyed by client id, with the connection's epoch so that an older connection's late
 * write is ignored), and reports an update as done once the node's {@link RoutedMessageFeed} has seen every fan-out
 * task apply it.
 */
public final class KafkaSubscriptionRouting implements SubscriptionRouting, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSubscriptionRouting.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String nodeId;
    private final RoutedMessageFeed feed;

    public KafkaSubscriptionRouting(KafkaSettings settings, String nodeId, RoutedMessageFeed feed) {
        this(new KafkaProducer<>(KafkaMessagePublisher.producerConfig(settings), new ByteArraySerializer(),
                new ByteArraySerializer()), settings.topics().subscriptions(), nodeId, feed);
    }

    KafkaSubscriptionRouting(Producer<byte[], byte[]> producer, String topic, String nodeId, RoutedMessageFeed feed) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    @Override
    public CompletionStage<Void> update(String clientId, long epoch, Collection<String> filters) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        write(clientId, epoch, nodeId, List.copyOf(filters)).whenComplete((written, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                feed.applied((int) written[0], written[1]).whenComplete((ok, notApplied) -> {
                    if (notApplied != null) {
                        done.completeExceptionally(notApplied);
                    } else {
                        done.complete(null);
                    }
                });
            }
        });
        return done;
    }

    @Override
    public void left(String clientId, long epoch) {
        write(clientId, epoch, null, List.of()).whenComplete((written, failure) -> {
            if (failure != null) {
                LOG.warn("client '{}': leaving node '{}' did not reach '{}': {}", clientId, nodeId, topic,
                        failure.toString());
            }
        });
    }

    /** Completes with {partition, offset} of the record once Kafka has it. */
    private CompletionStage<long[]> write(String clientId, long epoch, String node, List<String> filters) {
        CompletableFuture<long[]> written = new CompletableFuture<>();
        ClientSubscriptions value = ClientSubscriptions.newBuilder().setClientId(clientId).setNodeId(node)
                .setEpoch(epoch).setFilters(filters).build();
        try {
            producer.send(new ProducerRecord<>(topic, clientId.getBytes(StandardCharsets.UTF_8),
                    RoutingCodecs.CLIENT_SUBSCRIPTIONS.encode(value)), (metadata, exception) -> {
                        if (exception != null) {
                            written.completeExceptionally(exception);
                        } else {
                            written.complete(new long[] {metadata.partition(), metadata.offset()});
                        }
                    });
        } catch (RuntimeException e) {
            written.completeExceptionally(e);
        }
        return written;
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
