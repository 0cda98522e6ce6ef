package io.tributary.bridge.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** Kafka's exceptions become a verdict the protocol layer can act on without knowing Kafka. */
class PublishFailureTest {

    @Test
    void retriableErrorsAreTransient() {
        assertThat(KafkaMessagePublisher.failure(new TimeoutException("expired")).transientFailure()).isTrue();
        assertThat(KafkaMessagePublisher.failure(new NotEnoughReplicasException("isr")).transientFailure()).isTrue();
        assertThat(KafkaMessagePublisher.failure(new IllegalStateException("producer closed")).transientFailure())
                .isTrue();
    }

    @Test
    void refusalsOfTheRecordAreNotTransient() {
        PublishFailedException tooLarge = KafkaMessagePublisher.failure(new RecordTooLargeException("big"));
        assertThat(tooLarge.transientFailure()).isFalse();
        assertThat(tooLarge.getMessage()).contains("RecordTooLargeException", "big");
        assertThat(KafkaMessagePublisher.failure(new TopicAuthorizationException("no")).transientFailure()).isFalse();
    }

    @Test
    void findUnwrapsCompletionExceptions() {
        PublishFailedException failure = new PublishFailedException("x", true, null);
        assertThat(PublishFailedException.find(new java.util.concurrent.CompletionException(failure)))
                .isSameAs(failure);
        assertThat(PublishFailedException.find(new RuntimeException("other"))).isNull();
    }
}
