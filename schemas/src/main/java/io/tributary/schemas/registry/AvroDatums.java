package io.tributary.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificFixed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;

/** What the serdes share: the schema and data model of a datum, and Avro's class trust. */
final class AvroDatums {

    /** Generic data as Avro represents it (logical types as int, long, bytes, string). */
    static final GenericData RAW = new GenericData();
    /** Generic data with Java types for the logical types (BigDecimal, LocalDate, Instant, UUID, ...). */
    static final GenericData CONVERTED = withConversions(new GenericData());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Class<?>> TRUSTED = ConcurrentHashMap.newKeySet();

    private AvroDatums() {
    }

    private static GenericData withConversions(GenericData data) {
        data.addLogicalTypeConversion(new Conversions.DecimalConversion());
        data.addLogicalTypeConversion(new Conversions.BigDecimalConversion());
        data.addLogicalTypeConversion(new Conversions.UUIDConversion());
        data.addLogicalTypeConversion(new Conversions.DurationConversion());
        data.addLogicalTypeConversion(new TimeConversions.DateConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampNanosConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.LocalTimestampNanosConversion());
        return data;
    }

    /** The schema of a record, enum or fixed, or of a Java primitive; SerializationException for anything else. */
    static Schema schemaOf(Object datum) {
        if (datum instanceof GenericContainer container) {
            return container.getSchema();
        }
        Schema.Type type;
        if (datum instanceof CharSequence) {
            type = Schema.Type.STRING;
        } else if (datum instanceof Integer) {
            type = Schema.Type.INT;
        } else if (datum instanceof Long) {
            type = Schema.Type.LONG;
        } else if (datum instanceof Boolean) {
            type = Schema.Type.BOOLEAN;
        } else if (datum instanceof Float) {
            type = Schema.Type.FLOAT;
        } else if (datum instanceof Double) {
            type = Schema.Type.DOUBLE;
        } else if (datum instanceof byte[] || datum instanceof ByteBuffer) {
            type = Schema.Type.BYTES;
        } else {
            throw new SerializationException("cannot serialize a " + datum.getClass().getName()
                    + " as Avro: expected a GenericRecord, a SpecificRecord, an Avro enum or fixed, or a string, "
                    + "int, long, boolean, float, double or bytes");
        }
        return Schema.create(type);
    }

    /** The datum as Avro's writers take it. */
    static Object writable(Object datum) {
        return datum instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : datum;
    }

    /** The data model that writes {@code datum}: a generated class's own (with its conversions), else generic. */
    static GenericData modelFor(Object datum) {
        if (datum instanceof SpecificRecord || datum instanceof SpecificFixed
                || (datum instanceof Enum<?> && datum instanceof GenericContainer)) {
            return SpecificData.getForClass(datum.getClass());
        }
        return CONVERTED; // takes Java types for logical types and Avro's own representation alike
    }

    /** The schema without the {@code avro.java.string} properties of generated classes (equal in binary). */
    static Schema withoutJavaProperties(Schema schema) {
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            strip(tree);
            return new Schema.Parser().setValidateDefaults(false).parse(JSON.writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Avro wrote a schema that is not JSON", e);
        }
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(GenericData.STRING_PROP);
        }
        node.forEach(AvroDatums::strip);
    }

    /**
     * Lets Avro instantiate a generated class and the classes of the records, enums and fixed types it contains:
     * Avro 1.12 instantiates only classes it trusts, and naming the class to read into is that decision.
     */
    static void trust(Class<?> type) {
        if (!TRUSTED.add(type)) {
            return; // each serde instance would otherwise wrap the global validator once more
        }
        Schema schema = SpecificData.get().getSchema(type);
        ClassSecurityValidator.Builder trusted = ClassSecurityValidator.builder();
        collect(schema, trusted, new HashSet<>(), type.getClassLoader());
        // the lock AvroCodec takes for the same read-modify-write of Avro's global validator
        synchronized (AvroCodec.class) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                    trusted.build()));
        }
    }

    private static void collect(Schema schema, ClassSecurityValidator.Builder trusted, Set<String> seen,
            ClassLoader loader) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                try {
                    trusted.add(Class.forName(schema.getFullName(), false, loader));
                } catch (ClassNotFoundException e) {
                    return; // a generic part: nothing to instantiate
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    schema.getFields().forEach(f -> collect(f.schema(), trusted, seen, loader));
                }
            }
            case ARRAY -> collect(schema.getElementType(), trusted, seen, loader);
            case MAP -> collect(schema.getValueType(), trusted, seen, loader);
            case UNION -> schema.getTypes().forEach(t -> collect(t, trusted, seen, loader));
            default -> {
            }
        }
    }
}
