package io.tributary.schemas.registry;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Confluent wire format ({@code 0x00}, schema id, Avro binary): the writer schema is fetched
 * by id from the registry (once: it is cached), and the datum is read with the reader schema, which is
 *
 * <ul>
 *   <li>the generated class's, when constructed for a class or configured with {@code specific.avro.value.type}
 *       (or {@code specific.avro.key.type}): the result is that SpecificRecord, fields added since the writer's
 *       version taking their defaults;</li>
 *   <li>the class named like the writer schema, with {@code specific.avro.reader=true};</li>
 *   <li>the subject's latest schema with {@code use.latest.version=true} (a GenericRecord);</li>
 *   <li>else the writer schema itself (a GenericRecord; a String, Integer, ... for a primitive schema).</li>
 * </ul>
 *
 * <p>Null stays null (a tombstone). A value not in the wire format or naming an id the registry does not know
 * throws {@link SerializationException}, which a Kafka consumer reports as a {@code RecordDeserializationException}
 * at that record's offset. Thread-safe.
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {

    private record ReaderKey(int id, Schema reader) {
    }

    private SchemaRegistryClient client;
    private boolean ownsClient;
    private Class<?> type;
    private SerdeOptions options = SerdeOptions.defaults(false);
    private final ConcurrentMap<ReaderKey, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** For Kafka, which calls {@link #configure}; {@code schema.registry.url} is then required. */
    public ConfluentAvroDeserializer() {
    }

    /** A deserializer of values over {@code client} into generic records (until configured otherwise). */
    public ConfluentAvroDeserializer(SchemaRegistryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A deserializer over {@code client} into the generated class {@code type}. */
    public ConfluentAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this(client);
        forType(type);
    }

    /** A deserializer into the generated class {@code type}; {@link #configure} creates the client. */
    public ConfluentAvroDeserializer(Class<T> type) {
        forType(type);
    }

    /** A deserializer over {@code client} with the given settings ({@link ConfluentAvroSerdeConfig}). */
    public ConfluentAvroDeserializer(SchemaRegistryClient client, Map<String, ?> config, boolean isKey) {
        this(client);
        configure(config, isKey);
    }

    private void forType(Class<?> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.options = withSpecificType(options, type);
        AvroDatums.trust(type);
    }

    private static SerdeOptions withSpecificType(SerdeOptions o, Class<?> type) {
        return new SerdeOptions(o.isKey(), o.autoRegister(), o.useLatestVersion(), true, type,
                o.subjectNameStrategy(), o.logicalTypeConverters(), o.removeJavaProperties());
    }

    /** Gives a deserializer made without a client the one its serde shares; it stays the serde's to close. */
    void useClient(SchemaRegistryClient shared) {
        if (client == null) {
            client = shared;
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SerdeOptions parsed = SerdeOptions.parse(configs, isKey);
        if (type != null) {
            parsed = withSpecificType(parsed, type); // the class given to the constructor wins
        } else if (parsed.specificType() != null) {
            AvroDatums.trust(parsed.specificType());
        }
        this.options = parsed;
        readers.clear();
        if (client == null) {
            client = new HttpSchemaRegistryClient(RegistrySettings.fromConfig(configs));
            ownsClient = true;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient registry = client();
        int id = ConfluentWireFormat.schemaId(data, topic);
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new SerializationException("unknown schema id " + id + " in a record of topic " + topic
                        + ": the schema registry has no such schema (" + e.getMessage() + ")", e);
            }
            throw new SerializationException("cannot fetch schema id " + id + " for a record of topic " + topic
                    + ": " + e.getMessage(), e);
        }
        DatumReader<Object> reader = reader(topic, id, writer, registry);
        Object value;
        try {
            value = reader.read(null, DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_LENGTH,
                    data.length - ConfluentWireFormat.HEADER_LENGTH, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot read the Avro datum of a record of topic " + topic
                    + " with schema id " + id + " (" + writer.getFullName() + "): " + e, e);
        }
        return (T) (value instanceof Utf8 ? value.toString() : value);
    }

    private DatumReader<Object> reader(String topic, int id, Schema writer, SchemaRegistryClient registry) {
        if (options.specificType() != null) {
            Schema readerSchema = SpecificData.get().getSchema(options.specificType());
            return readers.computeIfAbsent(new ReaderKey(id, readerSchema),
                    k -> datumReader(SpecificData.getForClass(options.specificType()), writer, readerSchema));
        }
        if (options.specificReader() && isNamed(writer)) {
            return readers.computeIfAbsent(new ReaderKey(id, writer), k -> specificReader(topic, id, writer));
        }
        Schema readerSchema = writer;
        if (options.useLatestVersion()) {
            String subject = options.subjectNameStrategy().subjectName(topic, options.isKey(), writer);
            try {
                readerSchema = registry.latest(subject).schema();
            } catch (SchemaRegistryException e) {
                throw new SerializationException("cannot fetch the latest schema of subject '" + subject
                        + "' to read a record of topic " + topic + " (" + ConfluentAvroSerdeConfig.USE_LATEST_VERSION
                        + "=true): " + e.getMessage(), e);
            }
        }
        Schema finalReader = readerSchema;
        GenericData model = options.logicalTypeConverters() ? AvroDatums.CONVERTED : AvroDatums.RAW;
        return readers.computeIfAbsent(new ReaderKey(id, readerSchema), k -> datumReader(model, writer, finalReader));
    }

    private DatumReader<Object> specificReader(String topic, int id, Schema writer) {
        Class<?> generated;
        try {
            generated = SpecificData.get().getClass(writer);
        } catch (SecurityException e) {
            throw new SerializationException("Avro does not trust " + writer.getFullName() + " (schema id " + id
                    + ", topic " + topic + "): construct the deserializer for that class, set "
                    + ConfluentAvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE + " (or " + ConfluentAvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                    + ") to it, or list its package in the system property org.apache.avro.SERIALIZABLE_PACKAGES", e);
        }
        if (generated == null) {
            throw new SerializationException("no generated class " + writer.getFullName() + " for schema id " + id
                    + " (topic " + topic + ") on the class path, and " + ConfluentAvroSerdeConfig.SPECIFIC_AVRO_READER
                    + "=true");
        }
        SpecificData model = SpecificData.getForClass(generated);
        return datumReader(model, writer, model.getSchema(generated));
    }

    @SuppressWarnings("unchecked")
    private static DatumReader<Object> datumReader(GenericData model, Schema writer, Schema reader) {
        return (DatumReader<Object>) model.createDatumReader(writer, reader);
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED;
    }

    private SchemaRegistryClient client() {
        if (client == null) {
            throw new IllegalStateException("ConfluentAvroDeserializer is not configured: set "
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
