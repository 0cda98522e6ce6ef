package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The record format of the schemas topic, byte for byte where compaction depends on it. */
class RegistryRecordsTest {

    private static final SchemaEntry ENTRY = new SchemaEntry("mqtt.messages-value", 2, 7, "\"string\"", false);

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void schemaVersionsAreKeyedBySubjectAndVersion() {
        RegistryRecord record = new RegistryRecord.SchemaVersion(ENTRY);
        assertThat(text(RegistryRecords.key(record)))
                .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"mqtt.messages-value\",\"version\":2,\"magic\":1}");
        assertThat(text(RegistryRecords.value(record))).isEqualTo("{\"subject\":\"mqtt.messages-value\","
                + "\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
        assertThat(RegistryRecords.decode(RegistryRecords.key(record), RegistryRecords.value(record)))
                .contains(record);

        RegistryRecord softDeleted = new RegistryRecord.SchemaVersion(ENTRY.asDeleted());
        assertThat(RegistryRecords.key(softDeleted)).as("the same key: it replaces the live version")
                .isEqualTo(RegistryRecords.key(record));
        assertThat(RegistryRecords.decode(RegistryRecords.key(softDeleted), RegistryRecords.value(softDeleted)))
                .contains(softDeleted);
    }

    @Test
    void permanentDeletesAreTombstonesOfTheVersionKey() {
        RegistryRecord tombstone = new RegistryRecord.SchemaVersionDeleted("mqtt.messages-value", 2);
        assertThat(RegistryRecords.key(tombstone)).isEqualTo(RegistryRecords.key(new RegistryRecord.SchemaVersion(ENTRY)));
        assertThat(RegistryRecords.value(tombstone)).isNull();
        assertThat(RegistryRecords.decode(RegistryRecords.key(tombstone), null)).contains(tombstone);
    }

    @Test
    void configsAreKeyedBySubjectOrNullForTheGlobalLevel() {
        RegistryRecord global = new RegistryRecord.Config(null, CompatibilityLevel.FULL);
        assertThat(text(RegistryRecords.key(global))).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(text(RegistryRecords.value(global))).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(RegistryRecords.decode(RegistryRecords.key(global), RegistryRecords.value(global))).contains(global);

        RegistryRecord subject = new RegistryRecord.Config("s", CompatibilityLevel.NONE);
        assertThat(text(RegistryRecords.key(subject))).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}");
        assertThat(RegistryRecords.decode(RegistryRecords.key(subject), null))
                .contains(new RegistryRecord.ConfigDeleted("s"));
    }

    @Test
    void theIdHighWatermarkHasOneKey() {
        RegistryRecord watermark = new RegistryRecord.IdHighWatermark(41);
        assertThat(text(RegistryRecords.key(watermark))).isEqualTo("{\"keytype\":\"ID_HIGH_WATERMARK\",\"magic\":0}");
        assertThat(text(RegistryRecords.value(watermark))).isEqualTo("{\"highestId\":41}");
        assertThat(RegistryRecords.decode(RegistryRecords.key(watermark), RegistryRecords.value(watermark)))
                .contains(watermark);
    }

    @Test
    void readersAcceptAnyFieldOrderAndSkipUnknownKeyTypes() {
        assertThat(RegistryRecords.decode(bytes("{\"magic\":1,\"version\":1,\"subject\":\"s\",\"keytype\":\"SCHEMA\"}"),
                bytes("{\"schema\":\"\\\"int\\\"\",\"id\":3,\"extra\":true}")))
                .contains(new RegistryRecord.SchemaVersion(new SchemaEntry("s", 1, 3, "\"int\"", false)));
        assertThat(RegistryRecords.decode(bytes("{\"keytype\":\"NOOP\",\"magic\":0}"), null)).isEmpty();
        assertThat(RegistryRecords.decode(bytes("{\"keytype\":\"MODE\",\"subject\":null}"), bytes("{\"mode\":\"READWRITE\"}")))
                .isEmpty();
    }

    @Test
    void malformedRecordsAreRejectedWithAReason() {
        assertThatThrownBy(() -> RegistryRecords.decode(bytes("not json"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key is not JSON");
        assertThatThrownBy(() -> RegistryRecords.decode(bytes("{\"keytype\":\"SCHEMA\",\"subject\":\"s\"}"), bytes("{}")))
                .hasMessageContaining("'version'");
        assertThatThrownBy(() -> RegistryRecords.decode(
                bytes("{\"keytype\":\"CONFIG\",\"subject\":null}"), bytes("{\"compatibilityLevel\":\"SIDEWAYS\"}")))
                .hasMessageContaining("SIDEWAYS");
        assertThatThrownBy(() -> RegistryRecords.decode(null, bytes("{}"))).hasMessageContaining("without a key");
    }
}
