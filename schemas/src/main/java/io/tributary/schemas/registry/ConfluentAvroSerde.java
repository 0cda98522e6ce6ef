package io.tributary.schemas.registry;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link ConfluentAvroSerializer} and {@link ConfluentAvroDeserializer} as one Kafka Streams serde, sharing one
 * registry client (and so one cache). For generic records, a generated class
 * ({@code new ConfluentAvroSerde<>(client, Order.class)}), or whatever the configuration says
 * ({@link ConfluentAvroSerdeConfig}).
 */
public final class ConfluentAvroSerde<T> implements Serde<T> {

    private final ConfluentAvroSerializer<T> serializer;
    private final ConfluentAvroDeserializer<T> deserializer;
    private final boolean hasClient;
    private SchemaRegistryClient ownClient;

    /** For Kafka, which calls {@link #configure}: {@code schema.registry.url} is then required. */
    public ConfluentAvroSerde() {
        this.serializer = new ConfluentAvroSerializer<>();
        this.deserializer = new ConfluentAvroDeserializer<>();
        this.hasClient = false;
    }

    /** Generic records (unless configured otherwise) over {@code client}. */
    public ConfluentAvroSerde(SchemaRegistryClient client) {
        this.serializer = new ConfluentAvroSerializer<>(client);
        this.deserializer = new ConfluentAvroDeserializer<>(client);
        this.hasClient = true;
    }

    /** The generated class {@code type} over {@code client}. */
    public ConfluentAvroSerde(SchemaRegistryClient client, Class<T> type) {
        this.serializer = new ConfluentAvroSerializer<>(client);
        this.deserializer = new ConfluentAvroDeserializer<>(client, type);
        this.hasClient = true;
    }

    /** The generated class {@code type}; {@link #configure} creates the client from {@code schema.registry.url}. */
    public ConfluentAvroSerde(Class<T> type) {
        this.serializer = new ConfluentAvroSerializer<>();
        this.deserializer = new ConfluentAvroDeserializer<>(type);
        this.hasClient = false;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (!hasClient && ownClient == null) {
            ownClient = new HttpSchemaRegistryClient(RegistrySettings.fromConfig(configs));
            serializer.useClient(ownClient);
            deserializer.useClient(ownClient);
        }
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
        if (ownClient != null) {
            ownClient.close();
        }
    }
}
