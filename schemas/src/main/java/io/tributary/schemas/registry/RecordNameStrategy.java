package io.tributary.schemas.registry;

import org.apache.avro.Schema;

/** The record's full name ({@code com.example.Order}): several record types per topic, one subject per type. */
public final class RecordNameStrategy implements SubjectNameStrategy {

    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return schema.getFullName();
    }
}
