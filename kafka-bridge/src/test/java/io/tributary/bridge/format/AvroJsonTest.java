package io.tributary.bridge.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Schema READING = new Schema.Parser().parse("""
            {"type": "record", "name": "Reading", "namespace": "test", "fields": [
              {"name": "device", "type": "string"},
              {"name": "temperature", "type": "double"},
              {"name": "count", "type": "int"},
              {"name": "total", "type": "long"},
              {"name": "ok", "type": "boolean"},
              {"name": "unit", "type": {"type": "enum", "name": "Unit", "symbols": ["C", "F"]}},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
              {"name": "extra", "type": {"type": "map", "values": "long"}, "default": {}},
              {"name": "raw", "type": "bytes", "default": ""},
              {"name": "mac", "type": {"type": "fixed", "name": "Mac", "size": 2}, "default": "\\u0000\\u0000"},
              {"name": "env", "type": ["null", {"type": "record", "name": "Env", "fields": [
                {"name": "humidity", "type": "float"}]}], "default": null},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}, "default": 0},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "default": 0},
              {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "default": "00000000-0000-0000-0000-000000000000"},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}, "default": "\\u0000"},
              {"name": "level", "type": ["int", "string"], "default": 0}
            ]}""");

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    private static GenericRecord record(String text) throws Exception {
        return (GenericRecord) AvroJson.fromJson(json(text), READING);
    }

    @Test
    void naturalJsonBecomesARecordThatSurvivesAvroBinaryAndComesBackAsTheSameJson() throws Exception {
        String text = """
                {"device": "dev-1", "temperature": 21.5, "count": 3, "total": 12345678901, "ok": true, "unit": "C",
                 "note": "fine", "tags": ["a", "b"], "extra": {"x": 1}, "raw": "AQI=", "mac": "qrs=",
                 "env": {"humidity": 40.5}, "day": "2026-12-05", "at": "2026-12-05T10:00:00Z",
                 "id": "123e4567-e89b-12d3-a456-426614174000", "price": 12.5, "level": "high"}""";
        GenericRecord record = record(text);
        assertThat(GenericData.get().validate(READING, record)).isTrue();
        assertThat(record.get("day")).isEqualTo((int) java.time.LocalDate.parse("2026-12-05").toEpochDay());
        assertThat(record.get("at")).isEqualTo(java.time.Instant.parse("2026-12-05T10:00:00Z").toEpochMilli());
        assertThat(((ByteBuffer) record.get("price")).array()).isEqualTo(
                new BigDecimal("12.50").unscaledValue().toByteArray());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(READING).write(record, encoder);
        encoder.flush();
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(READING)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        JsonNode back = AvroJson.toJson(decoded, READING);
        assertThat(back.get("device").textValue()).isEqualTo("dev-1");
        assertThat(back.get("env").get("humidity").doubleValue()).isEqualTo(40.5);
        assertThat(back.get("day").textValue()).isEqualTo("2026-12-05");
        assertThat(back.get("at").textValue()).isEqualTo("2026-12-05T10:00:00Z");
        assertThat(back.get("price").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(back.get("level").textValue()).isEqualTo("high");
        assertThat(back.get("raw").textValue()).isEqualTo("AQI=");
        assertThat(back.get("unit").textValue()).isEqualTo("C");
        assertThat(back.get("note").textValue()).isEqualTo("fine");
    }

    @Test
    void missingFieldsTakeTheirDefaults() throws Exception {
        GenericRecord record = record("""
                {"device": "d", "temperature": 1, "count": 1, "total": 1, "ok": false, "unit": "F"}""");
        assertThat(record.get("note")).isNull();
        assertThat((Iterable<?>) record.get("tags")).isEmpty();
        assertThat(record.get("level")).isEqualTo(0);
        assertThat(record.get("temperature")).as("an integral JSON number is a double too").isEqualTo(1.0);
    }

    @Test
    void whatDoesNotFitIsRefusedNamingThePlace() {
        String base = "\"device\": \"d\", \"temperature\": 1, \"count\": 1, \"total\": 1, \"ok\": true, \"unit\": \"C\"";
        assertThatThrownBy(() -> record("{" + base.replace("\"temperature\": 1", "\"temperature\": \"hot\"") + "}"))
                .isInstanceOf(PayloadFormatException.class).hasMessageContaining("$.temperature: expected a number");
        assertThatThrownBy(() -> record("{" + base.replace("\"count\": 1", "\"count\": 1.5") + "}"))
                .hasMessageContaining("$.count: expected an int");
        assertThatThrownBy(() -> record("{" + base.replace("\"count\": 1", "\"count\": 3000000000") + "}"))
                .hasMessageContaining("$.count: 3000000000 is out of range");
        assertThatThrownBy(() -> record("{" + base.replace("\"unit\": \"C\"", "\"unit\": \"K\"") + "}"))
                .hasMessageContaining("$.unit: expected one of [C, F]");
        assertThatThrownBy(() -> record("{" + base.replace("\"device\": \"d\", ", "") + "}"))
                .hasMessageContaining("$.device: missing, and it has no default");
        assertThatThrownBy(() -> record("{" + base + ", \"colour\": \"red\"}"))
                .hasMessageContaining("$.colour: not a field of test.Reading");
        assertThatThrownBy(() -> record("{" + base + ", \"env\": {\"humidity\": \"wet\"}}"))
                .hasMessageContaining("$.env: fits none of [null, test.Env]")
                .hasMessageContaining("$.env.humidity");
        assertThatThrownBy(() -> record("{" + base + ", \"price\": 1.234}"))
                .hasMessageContaining("$.price: 1.234 has more than 2 decimal places");
        assertThatThrownBy(() -> record("{" + base + ", \"price\": 123456.7}"))
                .hasMessageContaining("does not fit decimal(6,2)");
        assertThatThrownBy(() -> record("{" + base + ", \"day\": \"yesterday\"}"))
                .hasMessageContaining("$.day: not a valid date");
        assertThatThrownBy(() -> record("{" + base + ", \"id\": \"nope\"}"))
                .hasMessageContaining("$.id: not a valid uuid");
        assertThatThrownBy(() -> record("[1, 2]")).hasMessageContaining("$: expected an object (test.Reading)");
        assertThatThrownBy(() -> record("{" + base + ", \"tags\": [\"a\", 2]}"))
                .hasMessageContaining("$.tags[1]: expected a string");
        assertThatThrownBy(() -> record("{" + base + ", \"mac\": \"AQID\"}"))
                .hasMessageContaining("$.mac: expected 2 bytes, got 3");
    }
}
