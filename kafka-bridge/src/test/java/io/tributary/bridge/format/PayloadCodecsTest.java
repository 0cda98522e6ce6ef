package io.tributary.bridge.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.mapping.KeyStrategy;
import io.tributary.bridge.mapping.MappingRule;
import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.InMemorySchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadCodecsTest {

    private static final String SCHEMA = """
            {"type": "record", "name": "Reading", "namespace": "t", "fields": [
              {"name": "v", "type": "double"}, {"name": "unit", "type": "string", "default": "C"}]}""";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    private static InboundPublish publish(String payload) {
        return new InboundPublish("t/1", payload.getBytes(StandardCharsets.UTF_8), 1, false, "c", null, null,
                MessageProperties.NONE);
    }

    private static MappingRule rule(String kafkaTopic, PayloadFormat format) {
        return new MappingRule(TopicFilter.parse("t/#"), kafkaTopic, KeyStrategy.parse("topic"), null, format);
    }

    @Test
    void anAvscFileIsRegisteredUnderTheTopicAndJsonGoesBothWays(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reading.avsc");
        Files.writeString(file, SCHEMA);
        Map<String, PayloadCodec> codecs = PayloadCodecs.create(
                List.of(rule("readings", PayloadFormat.avroFile(file)), rule("raw", PayloadFormat.RAW)), registry,
                () -> 0L);
        assertThat(codecs).containsOnlyKeys("readings");
        assertThat(registry.latest("readings-value").schema()).isEqualTo(new Schema.Parser().parse(SCHEMA));

        byte[] value = codecs.get("readings").encode(publish("{\"v\": 21.5}"));
        assertThat(ConfluentWireFormat.schemaId(value)).isEqualTo(registry.latest("readings-value").id());
        assertThat(new String(codecs.get("readings").decode(value), StandardCharsets.UTF_8))
                .isEqualTo("{\"v\":21.5,\"unit\":\"C\"}");
        assertThatThrownBy(() -> codecs.get("readings").encode(publish("{\"v\": \"hot\"}")))
                .isInstanceOf(PayloadFormatException.class).hasMessageContaining("$.v");
        assertThatThrownBy(() -> codecs.get("readings").encode(publish("v=1")))
                .isInstanceOf(PayloadFormatException.class).hasMessageStartingWith("not JSON");
        assertThat(codecs.get("readings").decode("plain".getBytes(StandardCharsets.UTF_8)))
                .as("a record another producer wrote as it liked").asString(StandardCharsets.UTF_8).isEqualTo("plain");
    }

    @Test
    void aSubjectGivesItsLatestVersionAndOlderVersionsStillDecode() {
        Schema v1 = new Schema.Parser().parse("""
                {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}""");
        Schema v2 = new Schema.Parser().parse("""
                {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"},
                  {"name": "b", "type": "string", "default": "x"}]}""");
        registry.register("shared-r", v1);
        PayloadCodec old = PayloadCodecs.create(List.of(rule("r", PayloadFormat.avroSubject("shared-r"))), registry,
                () -> 0L).get("r");
        byte[] writtenWithV1 = old.encode(publish("{\"a\": 1}"));
        registry.register("shared-r", v2);
        PayloadCodec current = PayloadCodecs.create(List.of(rule("r", PayloadFormat.avroSubject("shared-r"))),
                registry, () -> 0L).get("r");
        assertThat(new String(current.decode(writtenWithV1), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(new String(current.decode(current.encode(publish("{\"a\": 2}"))), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":2,\"b\":\"x\"}");
    }

    @Test
    void theEnvelopeCarriesAnyPayloadAndGivesItBack() {
        PayloadCodec envelope = PayloadCodecs.create(List.of(rule("audit", PayloadFormat.ENVELOPE)), registry,
                () -> 1234L).get("audit");
        byte[] payload = {0, (byte) 0xFF, 7};
        InboundPublish message = new InboundPublish("t/door", payload, 2, true, "c-1", "alice", null,
                MessageProperties.NONE);
        assertThat(envelope.decode(envelope.encode(message))).containsExactly(payload);
        assertThat(registry.subjects()).contains("audit-value");
    }

    @Test
    void whatCannotBeResolvedFailsTheStartNamingTheRule(@TempDir Path dir) {
        assertThatThrownBy(() -> PayloadCodecs.create(List.of(rule("r", PayloadFormat.RAW),
                rule("s", PayloadFormat.avroSubject("no-such-subject"))), registry, () -> 0L))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("mapping[1]");
        assertThatThrownBy(() -> PayloadCodecs.create(List.of(rule("r", PayloadFormat.avroFile(dir.resolve("x.avsc")))),
                registry, () -> 0L))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("mapping[0]: cannot read");
    }
}
