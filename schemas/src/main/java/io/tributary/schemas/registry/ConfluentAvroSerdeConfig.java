package io.tributary.schemas.registry;

/**
 * The configuration keys of {@link ConfluentAvroSerializer}, {@link ConfluentAvroDeserializer} and {@link
 * ConfluentAvroSerde}, and of {@link RegistrySettings#fromConfig}. They are Confluent's names, so that a Kafka
 * client configuration written for Confluent's {@code KafkaAvroSerializer} works unchanged. Keys not listed here
 * are ignored.
 */
public final class ConfluentAvroSerdeConfig {

    /** Comma-separated base URLs of the registry (required unless a client is passed to the constructor). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Where basic-auth credentials come from: {@code USER_INFO} or {@code URL} ({@code http://user:pw@host}). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for basic authentication. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** The same, under the prefixed name that Confluent also accepts. */
    public static final String SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    /** Connect timeout in milliseconds (default 10000). */
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    /** Request timeout in milliseconds (default 30000). */
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
    /** Retries after a connection failure, timeout, 5xx or 429 (default 3). */
    public static final String MAX_RETRIES = "max.retries";
    /** Wait before the first retry in milliseconds, doubling after each (default 200). */
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    /** Longest wait between retries in milliseconds (default 5000). */
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    /** How long the latest version of a subject is cached, in seconds; negative: for ever (default 30). */
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    /** Serializer: register the record's schema under its subject (default true). */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /**
     * Serializer: write with the subject's latest schema instead of the record's own (default false). Deserializer:
     * read with the subject's latest schema instead of the writer's (generic records only).
     */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Deserializer: return generated SpecificRecord classes, found by the writer schema's full name. */
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    /** Deserializer: the generated class (name or Class) to read keys into; implies a specific reader. */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    /** Deserializer: the generated class (name or Class) to read values into; implies a specific reader. */
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /** How the subject of a key is named: a {@link SubjectNameStrategy} class name (default TopicNameStrategy). */
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    /** How the subject of a value is named: a {@link SubjectNameStrategy} class name (default TopicNameStrategy). */
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /**
     * Deserializer: return logical types of generic records as Java types (BigDecimal, LocalDate, Instant, UUID, ...)
     * instead of their Avro representation (default false, as Confluent's). The serializer accepts both always.
     */
    public static final String AVRO_USE_LOGICAL_TYPE_CONVERTERS = "avro.use.logical.type.converters";
    /**
     * Serializer: remove the {@code avro.java.string} properties that generated classes put into their schemas
     * before registering (default false).
     */
    public static final String AVRO_REMOVE_JAVA_PROPERTIES = "avro.remove.java.properties";

    private ConfluentAvroSerdeConfig() {
    }
}
