package io.tributary.bridge.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Natural JSON (what devices send: {@code {"temperature": 21.5, "unit": "C"}}) to Avro data of a schema and
 * back. Avro's own JSON encoding wraps union values in their type name; devices do not, so a union takes the
 * first branch the value fits (JSON null for {@code null}).
 *
 * <p>Mapping: records are objects (a missing field takes its default, an unknown field is refused), maps are
 * objects, arrays are arrays, enums are their symbol, bytes and fixed are base64 strings; logical types take their
 * natural JSON form: {@code date} an ISO date or days, {@code time-millis}/{@code time-micros} an ISO time or the
 * number, {@code timestamp-millis}/{@code timestamp-micros} an ISO instant or the number, {@code uuid} a UUID
 * string, {@code decimal} a JSON number or a numeric string, scaled exactly. Whatever does not fit is refused
 * with a {@link PayloadFormatException} that names the place ({@code $.env.humidity}).
 */
public final class AvroJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** The Avro datum of {@code schema} that {@code json} stands for. */
    public static Object fromJson(JsonNode json, Schema schema) {
        return read(json, schema, "$");
    }

    /** The JSON of an Avro datum of {@code schema} (GenericRecord, or a generated class). */
    public static JsonNode toJson(Object datum, Schema schema) {
        return write(datum, schema);
    }

    private static Object read(JsonNode json, Schema schema, String path) {
        LogicalType logical = schema.getLogicalType();
        if (logical != null && !json.isNull()) {
            return readLogical(json, schema, logical, path);
        }
        return readPlain(json, schema, path);
    }

    private static Object readPlain(JsonNode json, Schema schema, String path) {
        switch (schema.getType()) {
            case NULL -> {
                if (!json.isNull()) {
                    throw refuse(path, "null", json);
                }
                return null;
            }
            case BOOLEAN -> {
                if (!json.isBoolean()) {
                    throw refuse(path, "true or false", json);
                }
                return json.booleanValue();
            }
            case INT -> {
                return (int) integral(json, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int");
            }
            case LONG -> {
                return integral(json, path, Long.MIN_VALUE, Long.MAX_VALUE, "a long");
            }
            case FLOAT -> {
                return (float) number(json, path);
            }
            case DOUBLE -> {
                return number(json, path);
            }
            case STRING -> {
                if (!json.isTextual()) {
                    throw refuse(path, "a string", json);
                }
                return json.textValue();
            }
            case BYTES -> {
                return ByteBuffer.wrap(base64(json, path));
            }
            case FIXED -> {
                byte[] bytes = base64(json, path);
                if (bytes.length != schema.getFixedSize()) {
                    throw new PayloadFormatException(path + ": expected " + schema.getFixedSize() + " bytes, got "
                            + bytes.length);
                }
                return new GenericData.Fixed(schema, bytes);
            }
            case ENUM -> {
                if (!json.isTextual() || !schema.hasEnumSymbol(json.textValue())) {
                    throw refuse(path, "one of " + schema.getEnumSymbols(), json);
                }
                return new GenericData.EnumSymbol(schema, json.textValue());
            }
            case ARRAY -> {
                if (!json.isArray()) {
                    throw refuse(path, "an array", json);
                }
                List<Object> items = new ArrayList<>(json.size());
                for (int i = 0; i < json.size(); i++) {
                    items.add(read(json.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return new GenericData.Array<>(schema, items);
            }
            case MAP -> {
                if (!json.isObject()) {
                    throw refuse(path, "an object", json);
                }
                Map<String, Object> map = new HashMap<>();
                json.fields().forEachRemaining(e -> map.put(e.getKey(),
                        read(e.getValue(), schema.getValueType(), path + "." + e.getKey())));
                return map;
            }
            case RECORD -> {
                return readRecord(json, schema, path);
            }
            case UNION -> {
                return readUnion(json, schema, path);
            }
            default -> throw new PayloadFormatException(path + ": unsupported schema type " + schema.getType());
        }
    }

    private static GenericRecord readRecord(JsonNode json, Schema schema, String path) {
        if (!json.isObject()) {
            throw refuse(path, "an object (" + schema.getFullName() + ")", json);
        }
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = json.get(field.name());
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new PayloadFormatException(path + "." + field.name() + ": missing, and it has no default");
                }
                record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get()
                        .getDefaultValue(field)));
            } else {
                record.put(field.pos(), read(value, field.schema(), path + "." + field.name()));
            }
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new PayloadFormatException(path + "." + name + ": not a field of " + schema.getFullName());
            }
        }
        return record;
    }

    private static Object readUnion(JsonNode json, Schema schema, String path) {
        if (json.isNull()) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() == Schema.Type.NULL) {
                    return null;
                }
            }
            throw refuse(path, "one of " + branchNames(schema), json);
        }
        PayloadFormatException first = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return read(json, branch, path);
            } catch (PayloadFormatException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw new PayloadFormatException(path + ": fits none of " + branchNames(schema)
                + (first == null ? "" : " (" + first.getMessage() + ")"));
    }

    private static Object readLogical(JsonNode json, Schema schema, LogicalType logical, String path) {
        try {
            switch (logical.getName()) {
                case "date" -> {
                    return json.isTextual() ? (int) LocalDate.parse(json.textValue()).toEpochDay()
                            : (int) integral(json, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "days");
                }
                case "time-millis" -> {
                    return json.isTextual() ? (int) (LocalTime.parse(json.textValue()).toNanoOfDay() / 1_000_000)
                            : (int) integral(json, path, 0, 86_399_999, "milliseconds of the day");
                }
                case "time-micros" -> {
                    return json.isTextual() ? LocalTime.parse(json.textValue()).toNanoOfDay() / 1_000
                            : integral(json, path, 0, 86_399_999_999L, "microseconds of the day");
                }
                case "timestamp-millis" -> {
                    return json.isTextual() ? Instant.parse(json.textValue()).toEpochMilli()
                            : integral(json, path, Long.MIN_VALUE, Long.MAX_VALUE, "milliseconds");
                }
                case "timestamp-micros" -> {
                    if (json.isTextual()) {
                        Instant instant = Instant.parse(json.textValue());
                        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
                    }
                    return integral(json, path, Long.MIN_VALUE, Long.MAX_VALUE, "microseconds");
                }
                case "uuid" -> {
                    if (!json.isTextual()) {
                        throw refuse(path, "a UUID string", json);
                    }
                    return UUID.fromString(json.textValue()).toString();
                }
                case "decimal" -> {
                    return readDecimal(json, schema, (LogicalTypes.Decimal) logical, path);
                }
                default -> {
                    return readPlain(json, schema, path); // a logical type we do not know: its underlying type
                }
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            if (e instanceof PayloadFormatException p) {
                throw p;
            }
            throw new PayloadFormatException(path + ": not a valid " + logical.getName() + ": " + e.getMessage());
        }
    }

    private static Object readDecimal(JsonNode json, Schema schema, LogicalTypes.Decimal decimal, String path) {
        BigDecimal value;
        if (json.isNumber()) {
            value = json.decimalValue();
        } else if (json.isTextual()) {
            try {
                value = new BigDecimal(json.textValue());
            } catch (NumberFormatException e) {
                throw refuse(path, "a decimal number", json);
            }
        } else {
            throw refuse(path, "a decimal number", json);
        }
        BigInteger unscaled;
        try {
            unscaled = value.setScale(decimal.getScale()).unscaledValue();
        } catch (ArithmeticException e) {
            throw new PayloadFormatException(path + ": " + value + " has more than " + decimal.getScale()
                    + " decimal places");
        }
        if (value.precision() - value.scale() > decimal.getPrecision() - decimal.getScale()) {
            throw new PayloadFormatException(path + ": " + value + " does not fit decimal(" + decimal.getPrecision()
                    + "," + decimal.getScale() + ")");
        }
        byte[] bytes = unscaled.toByteArray();
        if (schema.getType() == Schema.Type.FIXED) {
            int size = schema.getFixedSize();
            if (bytes.length > size) {
                throw new PayloadFormatException(path + ": " + value + " does not fit " + size + " bytes");
            }
            byte[] fixed = new byte[size];
            byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
            Arrays.fill(fixed, 0, size - bytes.length, pad);
            System.arraycopy(bytes, 0, fixed, size - bytes.length, bytes.length);
            return new GenericData.Fixed(schema, fixed);
        }
        return ByteBuffer.wrap(bytes);
    }

    private static JsonNode write(Object datum, Schema schema) {
        if (datum == null) {
            return JSON.nullNode();
        }
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            JsonNode natural = writeLogical(datum, schema, logical);
            if (natural != null) {
                return natural;
            }
        }
        switch (schema.getType()) {
            case BOOLEAN -> {
                return JSON.booleanNode((Boolean) datum);
            }
            case INT -> {
                return JSON.numberNode(((Number) datum).intValue());
            }
            case LONG -> {
                return JSON.numberNode(((Number) datum).longValue());
            }
            case FLOAT -> {
                return JSON.numberNode(((Number) datum).floatValue());
            }
            case DOUBLE -> {
                return JSON.numberNode(((Number) datum).doubleValue());
            }
            case STRING, ENUM -> {
                return JSON.textNode(datum.toString());
            }
            case BYTES -> {
                ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED -> {
                return JSON.textNode(Base64.getEncoder().encodeToString(((GenericData.Fixed) datum).bytes()));
            }
            case ARRAY -> {
                ArrayNode array = JSON.arrayNode();
                for (Object item : (Iterable<?>) datum) {
                    array.add(write(item, schema.getElementType()));
                }
                return array;
            }
            case MAP -> {
                ObjectNode object = JSON.objectNode();
                ((Map<?, ?>) datum).forEach((k, v) -> object.set(k.toString(), write(v, schema.getValueType())));
                return object;
            }
            case RECORD -> {
                ObjectNode object = JSON.objectNode();
                GenericRecord record = (GenericRecord) datum;
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), write(record.get(field.pos()), field.schema()));
                }
                return object;
            }
            case UNION -> {
                int branch = GenericData.get().resolveUnion(schema, datum);
                return write(datum, schema.getTypes().get(branch));
            }
            default -> {
                return JSON.nullNode();
            }
        }
    }

    private static JsonNode writeLogical(Object datum, Schema schema, LogicalType logical) {
        return switch (logical.getName()) {
            case "date" -> JSON.textNode(datum instanceof LocalDate d ? d.toString()
                    : LocalDate.ofEpochDay(((Number) datum).longValue()).toString());
            case "timestamp-millis" -> JSON.textNode(datum instanceof Instant i ? i.toString()
                    : Instant.ofEpochMilli(((Number) datum).longValue()).toString());
            case "timestamp-micros" -> JSON.textNode(datum instanceof Instant i ? i.toString()
                    : Instant.EPOCH.plus(((Number) datum).longValue(), ChronoUnit.MICROS).toString());
            case "uuid" -> JSON.textNode(datum.toString());
            case "decimal" -> {
                if (datum instanceof BigDecimal d) {
                    yield JSON.numberNode(d);
                }
                byte[] bytes;
                if (datum instanceof ByteBuffer buffer) {
                    ByteBuffer copy = buffer.duplicate();
                    bytes = new byte[copy.remaining()];
                    copy.get(bytes);
                } else {
                    bytes = ((GenericData.Fixed) datum).bytes();
                }
                yield JSON.numberNode(new BigDecimal(new BigInteger(bytes),
                        ((LogicalTypes.Decimal) logical).getScale()));
            }
            default -> null;
        };
    }

    private static long integral(JsonNode json, String path, long min, long max, String what) {
        if (!json.isNumber() || !(json.isIntegralNumber() || json.decimalValue().stripTrailingZeros().scale() <= 0)) {
            throw refuse(path, what, json);
        }
        BigInteger value = json.bigIntegerValue();
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new PayloadFormatException(path + ": " + value + " is out of range for " + what);
        }
        return value.longValue();
    }

    private static double number(JsonNode json, String path) {
        if (!json.isNumber()) {
            throw refuse(path, "a number", json);
        }
        return json.doubleValue();
    }

    private static byte[] base64(JsonNode json, String path) {
        if (!json.isTextual()) {
            throw refuse(path, "a base64 string", json);
        }
        try {
            return Base64.getDecoder().decode(json.textValue());
        } catch (IllegalArgumentException e) {
            throw refuse(path, "a base64 string", json);
        }
    }

    private static List<String> branchNames(Schema union) {
        return union.getTypes().stream().map(s -> s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM
                ? s.getFullName() : s.getType().getName()).toList();
    }

    private static PayloadFormatException refuse(String path, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 37) + "...";
        }
        return new PayloadFormatException(path + ": expected " + expected + ", got " + shown);
    }
}
