package io.tributary.bridge.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;

/**
 * Format {@code avro}: a JSON payload becomes an Avro record of the rule's schema in the Confluent wire format
 * ({@code 0x00}, the schema's registry id, Avro binary), so any consumer with a registry-aware deserializer reads
 * typed records; a payload that is not JSON or does not fit the schema is refused. The other way, a record in the
 * wire format becomes JSON again for MQTT subscribers, whatever version of the schema wrote it.
 */
final class AvroPayloadCodec implements PayloadCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Schema schema;
    private final int schemaId;
    private final byte[] header;
    private final SchemaRegistryClient registry;
    private final Map<Integer, Schema> writers = new ConcurrentHashMap<>();

    /**
     * @param schema    the schema payloads must fit
     * @param schemaId  its id in the registry
     * @param registry  for the schemas of records written with other ids (Kafka -> MQTT)
     */
    AvroPayloadCodec(Schema schema, int schemaId, SchemaRegistryClient registry) {
        this.schema = schema;
        this.schemaId = schemaId;
        this.header = ConfluentWireFormat.header(schemaId);
        this.registry = registry;
        writers.put(schemaId, schema);
    }

    @Override
    public byte[] encode(InboundPublish publish) {
        JsonNode json;
        try {
            json = JSON.readTree(publish.payload());
        } catch (IOException e) {
            throw new PayloadFormatException("not JSON: " + firstLine(e));
        }
        if (json == null || json.isMissingNode()) {
            throw new PayloadFormatException("not JSON: the payload is empty");
        }
        Object datum = AvroJson.fromJson(json, schema);
        return WireFormat.write(header, datum, new GenericDatumWriter<>(schema), publish.payload().length);
    }

    @Override
    public byte[] decode(byte[] value) {
        if (!ConfluentWireFormat.isConfluentFormat(value)) {
            return value;
        }
        int id = ConfluentWireFormat.schemaId(value);
        Schema writer = writers.computeIfAbsent(id, registry::schemaById);
        try {
            Object datum = WireFormat.read(value, new GenericDatumReader<>(writer));
            return JSON.writeValueAsBytes(AvroJson.toJson(datum, writer));
        } catch (IOException | RuntimeException e) {
            return value; // not what it claims to be: deliver it as it is
        }
    }

    int schemaId() {
        return schemaId;
    }

    @Override
    public String toString() {
        return "avro(" + schema.getFullName() + ", id " + schemaId + ")";
    }

    private static String firstLine(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        int newline = message == null ? -1 : message.indexOf('\n');
        return newline < 0 ? String.valueOf(message) : message.substring(0, newline);
    }
}
