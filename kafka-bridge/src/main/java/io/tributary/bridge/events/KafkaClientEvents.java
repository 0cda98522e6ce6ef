package io.tributary.bridge.events;

import io.tributary.bridge.KafkaSettings;
import io.tributary.bridge.publish.KafkaMessagePublisher;
import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.ClientEventKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClientEvents} as {@code ClientEvent} records (Avro, see schemas) in the events topic, keyed by client id so
 * that the events of one client stay in order. A producer of its own with the publisher's settings, so that
 * events never queue behind (or take the budget of) MQTT messages.
 */
public final class KafkaClientEvents implements ClientEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientEvents.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String nodeId;
    private final LongSupplier clock;
    private final AtomicLong failed = new AtomicLong();

    public KafkaClientEvents(KafkaSettings settings, String nodeId) {
        this(new KafkaProducer<>(config(settings), new ByteArraySerializer(), new ByteArraySerializer()),
                settings.topics().events(), nodeId, System::currentTimeMillis);
    }

    KafkaClientEvents(Producer<byte[], byte[]> producer, String topic, String nodeId, LongSupplier clock) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = clock;
    }

    private static Map<String, Object> config(KafkaSettings settings) {
        Map<String, Object> config = new HashMap<>(KafkaMessagePublisher.producerConfig(settings));
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(4L << 20));
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return config;
    }

    @Override
    public void connected(String clientId, long epoch, String username, int protocolVersion, String remoteAddress) {
        send(ClientEventKind.CONNECTED, clientId, epoch, username, protocolVersion, remoteAddress);
    }

    @Override
    public void disconnected(String clientId, long epoch, String username, int protocolVersion,
                             String remoteAddress) {
        send(ClientEventKind.DISCONNECTED, clientId, epoch, username, protocolVersion, remoteAddress);
    }

    private void send(ClientEventKind kind, String clientId, long epoch, String username, int protocolVersion,
                      String remoteAddress) {
        ClientEvent event = ClientEvent.newBuilder().setClientId(clientId).setNodeId(nodeId).setKind(kind)
                .setAt(Instant.ofEpochMilli(clock.getAsLong())).setSessionEpoch(epoch).setUsername(username)
                .setProtocolVersion(protocolVersion).setRemoteAddress(remoteAddress).build();
        try {
            producer.send(new ProducerRecord<>(topic, clientId.getBytes(StandardCharsets.UTF_8),
                    AnalyticsCodecs.CLIENT_EVENT.encode(event)), (metadata, exception) -> {
                        if (exception != null) {
                            failed(kind, clientId, exception);
                        }
                    });
        } catch (RuntimeException e) {
            failed(kind, clientId, e); // e.g. no metadata within max.block.ms
        }
    }

    private void failed(ClientEventKind kind, String clientId, Exception e) {
        if (failed.getAndIncrement() % 1000 == 0) {
            LOG.warn("A {} event of client '{}' did not reach topic '{}' ({} so far): {}", kind, clientId, topic,
                    failed.get(), e.toString());
        }
    }

    /** Events that could not be written. */
    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
