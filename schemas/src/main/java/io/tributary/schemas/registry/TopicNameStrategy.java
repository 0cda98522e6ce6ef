package io.tributary.schemas.registry;

import org.apache.avro.Schema;

/** {@code <topic>-key} or {@code <topic>-value}: one schema (and its versions) per topic. The default. */
public final class TopicNameStrategy implements SubjectNameStrategy {

    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return topic + (isKey ? "-key" : "-value");
    }
}
