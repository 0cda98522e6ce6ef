package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "com.example.shop",
             "fields": [{"name": "id", "type": "long"}]}""");

    /** A user's own strategy, named by class in a configuration. */
    public static final class Prefixed implements SubjectNameStrategy {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return "tenant-a." + topic + (isKey ? ".k" : ".v");
        }
    }

    @Test
    void topicNameStrategyNamesTheKeyAndValueSubjectsOfTheTopic() {
        assertThat(new TopicNameStrategy().subjectName("orders", false, ORDER)).isEqualTo("orders-value");
        assertThat(new TopicNameStrategy().subjectName("orders", true, ORDER)).isEqualTo("orders-key");
    }

    @Test
    void recordNameStrategyNamesTheSubjectAfterTheRecordsFullName() {
        assertThat(new RecordNameStrategy().subjectName("orders", false, ORDER)).isEqualTo("com.example.shop.Order");
        assertThat(new RecordNameStrategy().subjectName("orders", true, ORDER)).isEqualTo("com.example.shop.Order");
    }

    @Test
    void topicRecordNameStrategyCombinesBoth() {
        assertThat(new TopicRecordNameStrategy().subjectName("orders", false, ORDER))
                .isEqualTo("orders-com.example.shop.Order");
    }

    @Test
    void primitivesAreNamedByTheirType() {
        assertThat(new RecordNameStrategy().subjectName("t", true, Schema.create(Schema.Type.STRING)))
                .isEqualTo("string");
    }

    @Test
    void confluentsClassNamesAreAliases() {
        assertThat(SubjectNameStrategy.named("io.confluent.kafka.serializers.subject.TopicNameStrategy"))
                .isInstanceOf(TopicNameStrategy.class);
        assertThat(SubjectNameStrategy.named("io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .isInstanceOf(RecordNameStrategy.class);
        assertThat(SubjectNameStrategy.named("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"))
                .isInstanceOf(TopicRecordNameStrategy.class);
    }

    @Test
    void simpleAndOwnClassNamesWork() {
        assertThat(SubjectNameStrategy.named("RecordNameStrategy")).isInstanceOf(RecordNameStrategy.class);
        assertThat(SubjectNameStrategy.named(" io.tributary.schemas.registry.TopicRecordNameStrategy "))
                .isInstanceOf(TopicRecordNameStrategy.class);
        assertThat(SubjectNameStrategy.named(Prefixed.class.getName()).subjectName("t", true, ORDER))
                .isEqualTo("tenant-a.t.k");
    }

    @Test
    void unknownOrWrongClassesFailNamingTheKey() {
        assertThatThrownBy(() -> SerdeOptions.parse(Map.of(ConfluentAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
                "com.example.Missing"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("unknown subject name strategy 'com.example.Missing'");
        assertThatThrownBy(() -> SerdeOptions.parse(Map.of(ConfluentAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
                String.class), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key.subject.name.strategy")
                .hasMessageContaining("does not implement");
    }

    @Test
    void keyAndValueStrategiesAreConfiguredApart() {
        Map<String, Object> config = Map.of(
                ConfluentAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY, "RecordNameStrategy",
                ConfluentAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, new Prefixed());

        assertThat(SerdeOptions.parse(config, true).subjectNameStrategy()).isInstanceOf(RecordNameStrategy.class);
        assertThat(SerdeOptions.parse(config, false).subjectNameStrategy()).isInstanceOf(Prefixed.class);
        assertThat(SerdeOptions.parse(Map.of(), false).subjectNameStrategy()).isInstanceOf(TopicNameStrategy.class);
    }
}
