package io.tributary.bridge.format;

import io.tributary.bridge.mapping.MappingRule;
import io.tributary.schemas.message.MqttEnvelope;
import io.tributary.schemas.registry.RegisteredSchema;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The codec of every Kafka topic whose mapping rule has a format other than raw: the first rule that names a topic
 * decides, as for the MQTT topic template. Schemas are resolved here, once, at start: the latest version of a
 * subject, or an {@code .avsc} file registered under {@code <kafka topic>-value}; the envelope's schema is
 * registered under {@code <kafka topic>-value} too.
 */
public final class PayloadCodecs {

    private PayloadCodecs() {
    }

    /**
     * @throws IllegalStateException naming the rule when its schema cannot be read, found or registered
     */
    public static Map<String, PayloadCodec> create(List<MappingRule> rules, SchemaRegistryClient registry,
                                                   LongSupplier clock) {
        Map<String, PayloadCodec> codecs = new HashMap<>();
        java.util.Set<String> decided = new java.util.HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            MappingRule rule = rules.get(i);
            if (!decided.add(rule.kafkaTopic())) {
                continue;
            }
            PayloadFormat format = rule.format();
            String subject = rule.kafkaTopic() + "-value";
            try {
                switch (format.kind()) {
                    case RAW -> {
                    }
                    case ENVELOPE -> codecs.put(rule.kafkaTopic(), new EnvelopePayloadCodec(
                            registry.register(subject, MqttEnvelope.getClassSchema()), clock));
                    case AVRO -> {
                        if (format.subject() != null) {
                            RegisteredSchema latest = registry.latest(format.subject());
                            codecs.put(rule.kafkaTopic(), new AvroPayloadCodec(latest.schema(), latest.id(), registry));
                        } else {
                            Schema schema = new Schema.Parser().parse(Files.readString(format.schemaFile()));
                            codecs.put(rule.kafkaTopic(), new AvroPayloadCodec(schema,
                                    registry.register(subject, schema), registry));
                        }
                    }
                    default -> throw new IllegalStateException("unknown format " + format.kind());
                }
            } catch (IOException | SchemaParseException e) {
                throw new IllegalStateException("mapping[" + i + "]: cannot read the schema file "
                        + format.schemaFile() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("mapping[" + i + "] (format " + format.kind() + ", topic "
                        + rule.kafkaTopic() + "): " + e.getMessage(), e);
            }
        }
        return Map.copyOf(codecs);
    }
}
