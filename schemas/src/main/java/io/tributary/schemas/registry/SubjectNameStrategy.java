package io.tributary.schemas.registry;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * Names the registry subject under which the schema of a record's key or value is registered and looked up.
 * Implementations have a public no-argument constructor so that they can be named in a configuration.
 */
public interface SubjectNameStrategy {

    /** The subject for a key ({@code isKey}) or value of {@code topic} whose schema is {@code schema}. */
    String subjectName(String topic, boolean isKey, Schema schema);

    /**
     * The strategy a configuration names: {@code TopicNameStrategy}, {@code RecordNameStrategy} or
     * {@code TopicRecordNameStrategy}, by simple name, by our class name or by Confluent's
     * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}, so that configurations written for
     * Confluent's serializers work); or the name of any class implementing this interface.
     */
    static SubjectNameStrategy named(String name) {
        String trimmed = name.trim();
        Map<String, SubjectNameStrategy> builtIn = Map.of(
                "TopicNameStrategy", new TopicNameStrategy(),
                "RecordNameStrategy", new RecordNameStrategy(),
                "TopicRecordNameStrategy", new TopicRecordNameStrategy());
        String simple = trimmed.substring(trimmed.lastIndexOf('.') + 1);
        String pkg = trimmed.contains(".") ? trimmed.substring(0, trimmed.lastIndexOf('.')) : "";
        if (builtIn.containsKey(simple) && (pkg.isEmpty() || pkg.equals(SubjectNameStrategy.class.getPackageName())
                || pkg.equals("io.confluent.kafka.serializers.subject"))) {
            return builtIn.get(simple);
        }
        Class<?> type;
        try {
            type = Class.forName(trimmed, true, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : SubjectNameStrategy.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException("unknown subject name strategy '" + name + "': expected TopicNameStrategy, "
                    + "RecordNameStrategy, TopicRecordNameStrategy or a class implementing "
                    + SubjectNameStrategy.class.getName());
        }
        return instance(type, name);
    }

    /** An instance of a strategy class. */
    static SubjectNameStrategy instance(Class<?> type, String name) {
        if (type.getName().startsWith("io.confluent.kafka.serializers.subject.")) {
            return named(type.getSimpleName());
        }
        if (!SubjectNameStrategy.class.isAssignableFrom(type)) {
            throw new ConfigException("subject name strategy " + name + " does not implement "
                    + SubjectNameStrategy.class.getName());
        }
        try {
            return (SubjectNameStrategy) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ConfigException("cannot create subject name strategy " + name + ": " + e);
        }
    }
}
