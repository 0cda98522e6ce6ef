package io.tributary.bridge.publish;

import io.tributary.bridge.mapping.TopicMapper;
import io.tributary.bridge.testing.PausableTcpProxy;
import io.tributary.bridge.testing.SharedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Kafka stops answering (the proxy holds every byte): nothing is acknowledged, memory stays bounded. */
class BackPressureIT {

    private final PausableTcpProxy proxy = SharedKafka.proxy();

    @AfterEach
    void resumeProxy() {
        proxy.resume();
    }

    @Test
    void nothingCompletesWhileKafkaIsSilentAndEverythingDoesAfter() {
        SharedKafka.createTopic("bp.messages", 3);
        TopicMapper mapper = TopicMapper.defaultOnly("bp.messages");
        long budget = 16 * 1024;
        byte[] payload = new byte[1024];

        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(KafkaMessagePublisherIT.settings(
                SharedKafka.proxiedBootstrapServers(), budget, Map.of()), mapper)) {
            // the connection works through the proxy before it is paused
            assertThat(publish(publisher, "bp/warmup", payload)).succeedsWithin(Duration.ofSeconds(30));

            proxy.pause();
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            AtomicInteger relieved = new AtomicInteger();
            int count = 0;
            while (!publisher.saturated()) {
                acks.add(publish(publisher, "bp/t" + (count++ % 5), payload));
            }
            // publishes are still accepted while saturated
            for (int i = 0; i < 10; i++) {
                acks.add(publish(publisher, "bp/t" + (count++ % 5), payload));
            }
            assertThat(publisher.saturated()).isTrue();
            assertThat(publisher.inflightBytes()).isGreaterThan(budget);
            publisher.whenRelieved(relieved::incrementAndGet);

            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(
                    () -> acks.stream().noneMatch(CompletableFuture::isDone) && relieved.get() == 0);

            proxy.resume();

            await().atMost(Duration.ofSeconds(30)).until(() -> acks.stream().allMatch(CompletableFuture::isDone));
            assertThat(acks).allSatisfy(ack -> assertThat(ack).isCompletedWithValueMatching(a -> a.offset() >= 0));
            assertThat(relieved).hasValue(1);
            assertThat(publisher.saturated()).isFalse();
            assertThat(publisher.inflightBytes()).isZero();

            AtomicInteger immediate = new AtomicInteger();
            publisher.whenRelieved(immediate::incrementAndGet);
            assertThat(immediate).as("runs at once when not saturated").hasValue(1);

            assertThat(SharedKafka.readAll("bp.messages", acks.size() + 1, Duration.ofSeconds(30)))
                    .hasSizeGreaterThanOrEqualTo(acks.size() + 1);
        }
    }

    @Test
    void reliefRegisteredConcurrentlyWithDrainingAlwaysRuns() throws Exception {
        SharedKafka.createTopic("bp2.messages", 1);
        TopicMapper mapper = TopicMapper.defaultOnly("bp2.messages");
        byte[] payload = new byte[512];
        try (KafkaMessagePublisher publisher = new KafkaMessagePublisher(KafkaMessagePublisherIT.settings(
                SharedKafka.bootstrapServers(), 4 * 1024, Map.of()), mapper)) {
            AtomicInteger registered = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            for (int round = 0; round < 50; round++) {
                List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
                while (!publisher.saturated()) {
                    acks.add(publish(publisher, "bp2/t", payload));
                }
                registered.incrementAndGet();
                publisher.whenRelieved(ran::incrementAndGet);
                CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0])).get();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ran).hasValue(registered.get()));
            }
        }
    }

    private static CompletableFuture<PublishAck> publish(KafkaMessagePublisher publisher, String topic, byte[] payload) {
        return publisher.publish(new InboundPublish(topic, payload, 1, false, "bp-client", null, null, null))
                .toCompletableFuture();
    }
}
