package io.tributary.schemas.registry;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/** The serde settings of a Kafka configuration (see {@link ConfluentAvroSerdeConfig}), for a key or a value. */
record SerdeOptions(boolean isKey, boolean autoRegister, boolean useLatestVersion, boolean specificReader,
        Class<?> specificType, SubjectNameStrategy subjectNameStrategy, boolean logicalTypeConverters,
        boolean removeJavaProperties) {

    static SerdeOptions defaults(boolean isKey) {
        return new SerdeOptions(isKey, true, false, false, null, new TopicNameStrategy(), false, false);
    }

    static SerdeOptions parse(Map<String, ?> config, boolean isKey) {
        ConfigValues values = new ConfigValues(config);
        String strategyKey = isKey ? ConfluentAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY
                : ConfluentAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY;
        String typeKey = isKey ? ConfluentAvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                : ConfluentAvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE;
        Class<?> type = specificType(values, typeKey);
        return new SerdeOptions(isKey,
                values.bool(ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true),
                values.bool(ConfluentAvroSerdeConfig.USE_LATEST_VERSION, false),
                values.bool(ConfluentAvroSerdeConfig.SPECIFIC_AVRO_READER, false) || type != null,
                type,
                strategy(values, strategyKey),
                values.bool(ConfluentAvroSerdeConfig.AVRO_USE_LOGICAL_TYPE_CONVERTERS, false),
                values.bool(ConfluentAvroSerdeConfig.AVRO_REMOVE_JAVA_PROPERTIES, false));
    }

    private static SubjectNameStrategy strategy(ConfigValues values, String key) {
        Object raw = values.raw(key);
        if (raw == null) {
            return new TopicNameStrategy();
        }
        if (raw instanceof SubjectNameStrategy strategy) {
            return strategy;
        }
        try {
            if (raw instanceof Class<?> type) {
                return SubjectNameStrategy.instance(type, type.getName());
            }
            return SubjectNameStrategy.named(raw.toString());
        } catch (ConfigException e) {
            throw new ConfigException(key, raw, e.getMessage());
        }
    }

    private static Class<?> specificType(ConfigValues values, String key) {
        Object raw = values.raw(key);
        if (raw == null || raw.toString().isBlank()) {
            return null;
        }
        Class<?> type;
        if (raw instanceof Class<?> c) {
            type = c;
        } else {
            try {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                type = Class.forName(raw.toString().trim(), true,
                        loader != null ? loader : SerdeOptions.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(key, raw, "no such class");
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException(key, raw, "not a generated Avro class (SpecificRecord)");
        }
        return type;
    }
}
