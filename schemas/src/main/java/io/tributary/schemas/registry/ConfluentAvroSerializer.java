package io.tributary.schemas.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (GenericRecord, SpecificRecord, Avro enums and fixed, or Java primitives) in the Confluent
 * wire format: {@code 0x00}, the schema id, Avro binary. The schema is registered under the subject that the
 * subject name strategy gives ({@code <topic>-value} by default), looked up if {@code auto.register.schemas=false},
 * or replaced by the subject's latest if {@code use.latest.version=true}. Null stays null (a tombstone).
 *
 * <p>Configured the Kafka way ({@code value.serializer=io.tributary.schemas.registry.ConfluentAvroSerializer} and
 * the keys of {@link ConfluentAvroSerdeConfig}), or given a client. Thread-safe, as Kafka's producer needs.
 */
public final class ConfluentAvroSerializer<T> implements Serializer<T> {

    private record WriterKey(Schema schema, GenericData model) {
    }

    private record SchemaPair(Schema record, Schema latest) {
    }

    /** How records of one schema become records of a subject's latest schema. */
    private record Conversion(SchemaPairCompatibility compatibility, GenericDatumReader<Object> reader) {
    }

    private SchemaRegistryClient client;
    private boolean ownsClient;
    private SerdeOptions options = SerdeOptions.defaults(false);
    private final ConcurrentMap<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Schema, Schema> withoutJavaProperties = new ConcurrentHashMap<>();
    private final ConcurrentMap<SchemaPair, Boolean> sameEncoding = new ConcurrentHashMap<>();
    private final ConcurrentMap<SchemaPair, Conversion> conversions = new ConcurrentHashMap<>();

    /** For Kafka, which calls {@link #configure}; {@code schema.registry.url} is then required. */
    public ConfluentAvroSerializer() {
    }

    /** A serializer of values over {@code client}, with the default settings until {@link #configure} is called. */
    public ConfluentAvroSerializer(SchemaRegistryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A serializer over {@code client} with the given settings ({@link ConfluentAvroSerdeConfig}). */
    public ConfluentAvroSerializer(SchemaRegistryClient client, Map<String, ?> config, boolean isKey) {
        this(client);
        configure(config, isKey);
    }

    /** Gives a serializer made without a client the one its serde shares; it stays the serde's to close. */
    void useClient(SchemaRegistryClient shared) {
        if (client == null) {
            client = shared;
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.options = SerdeOptions.parse(configs, isKey);
        if (client == null) {
            client = new HttpSchemaRegistryClient(RegistrySettings.fromConfig(configs));
            ownsClient = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient registry = client();
        Schema schema = AvroDatums.schemaOf(data);
        Schema registered = options.removeJavaProperties()
                ? withoutJavaProperties.computeIfAbsent(schema, AvroDatums::withoutJavaProperties) : schema;
        String subject = options.subjectNameStrategy().subjectName(topic, options.isKey(), schema);
        Object datum = AvroDatums.writable(data);
        Schema writer = schema;
        GenericData model = AvroDatums.modelFor(data);
        int id;
        try {
            if (options.useLatestVersion()) {
                RegisteredSchema latest = registry.latest(subject);
                id = latest.id();
                if (!sameEncoding(schema, latest.schema())) {
                    datum = asLatest(datum, schema, model, latest, topic);
                    writer = latest.schema();
                    model = AvroDatums.RAW;
                }
            } else if (options.autoRegister()) {
                id = registry.register(subject, registered);
            } else {
                id = registry.lookup(subject, registered).orElseThrow(() -> new SerializationException(
                        "the schema " + schema.getFullName() + " of a record for topic " + topic
                                + " is not registered under subject '" + subject + "', and "
                                + ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS + "=false"))
                        .id();
            }
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot serialize a " + schema.getFullName() + " for topic " + topic
                    + " (subject '" + subject + "'): " + e.getMessage(), e);
        }
        return write(id, writer, model, datum, topic);
    }

    private byte[] write(int id, Schema writer, GenericData model, Object datum, String topic) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(ConfluentWireFormat.header(id));
        try {
            encode(writer, model, datum, out);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write a " + writer.getFullName() + " for topic " + topic
                    + " as Avro: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private void encode(Schema writer, GenericData model, Object datum, ByteArrayOutputStream out)
            throws IOException {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writers.computeIfAbsent(new WriterKey(writer, model), k -> datumWriter(k.schema(), k.model()))
                .write(datum, encoder);
        encoder.flush();
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> datumWriter(Schema schema, GenericData model) {
        return (DatumWriter<Object>) model.createDatumWriter(schema);
    }

    /** Whether data of one schema is byte for byte data of the other (equal Parsing Canonical Form). */
    private boolean sameEncoding(Schema record, Schema latest) {
        return record.equals(latest) || sameEncoding.computeIfAbsent(new SchemaPair(record, latest),
                p -> SchemaNormalization.parsingFingerprint64(p.record())
                        == SchemaNormalization.parsingFingerprint64(p.latest()));
    }

    /** The datum converted to the subject's latest schema, which must be able to read it. */
    private Object asLatest(Object datum, Schema schema, GenericData model, RegisteredSchema latest, String topic) {
        Conversion conversion = conversions.computeIfAbsent(new SchemaPair(schema, latest.schema()),
                p -> new Conversion(SchemaCompatibility.checkReaderWriterCompatibility(p.latest(), p.record()),
                        new GenericDatumReader<>(p.record(), p.latest(), AvroDatums.RAW)));
        SchemaPairCompatibility compatibility = conversion.compatibility();
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("a " + schema.getFullName() + " for topic " + topic
                    + " cannot be written with the latest schema of subject '" + latest.subject() + "' (version "
                    + latest.version() + ", id " + latest.id() + ", " + ConfluentAvroSerdeConfig.USE_LATEST_VERSION
                    + "=true): " + compatibility.getResult().getIncompatibilities());
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            encode(schema, model, datum, out);
            return conversion.reader().read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot convert a " + schema.getFullName() + " for topic " + topic
                    + " to the latest schema of subject '" + latest.subject() + "': " + e.getMessage(), e);
        }
    }

    private SchemaRegistryClient client() {
        if (client == null) {
            throw new IllegalStateException("ConfluentAvroSerializer is not configured: set "
                    + ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL + " or pass a SchemaRegistryClient");
        }
        return client;
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }
}
