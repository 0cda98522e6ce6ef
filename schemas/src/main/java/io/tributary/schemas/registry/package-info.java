/**
 * The Confluent Schema Registry REST API spoken over {@code java.net.http} ({@link
 * io.tributary.schemas.registry.HttpSchemaRegistryClient}), an in-memory registry for tests ({@link
 * io.tributary.schemas.registry.InMemorySchemaRegistryClient}), and Kafka serdes in the Confluent wire format ({@link
 * io.tributary.schemas.registry.ConfluentAvroSerializer}, {@link io.tributary.schemas.registry.ConfluentAvroDeserializer},
 * {@link io.tributary.schemas.registry.ConfluentAvroSerde}). Works against any Confluent-compatible registry
 * (Confluent, Apicurio's {@code /apis/ccompat/v7}, Karapace); Confluent's own client is not needed.
 */
package io.tributary.schemas.registry;
