package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Confluent's levels on Avro's own compatibility rules. */
class CompatibilityLevelTest {

    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"int\"}");
    private static final Schema ADDED_WITH_DEFAULT =
            record("{\"name\":\"a\",\"type\":\"int\"}, {\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}");
    private static final Schema ADDED_WITHOUT_DEFAULT =
            record("{\"name\":\"a\",\"type\":\"int\"}, {\"name\":\"b\",\"type\":\"string\"}");
    private static final Schema EMPTY = record("");

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"t\","
                + "\"fields\":[" + fields + "]}");
    }

    @Test
    void namesParseInAnyCase() {
        assertThat(CompatibilityLevel.find("backward_transitive")).contains(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(CompatibilityLevel.find(" FULL ")).contains(CompatibilityLevel.FULL);
        assertThat(CompatibilityLevel.find("sideways")).isEmpty();
        assertThat(CompatibilityLevel.find(null)).isEmpty();
        assertThat(CompatibilityLevel.DEFAULT).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void backwardLetsTheNewSchemaReadOldData() {
        CompatibilityLevel backward = CompatibilityLevel.BACKWARD;
        assertThat(backward.incompatibilities(ADDED_WITH_DEFAULT, V1)).isEmpty();
        assertThat(backward.incompatibilities(EMPTY, V1)).as("a removed field is skipped").isEmpty();
        assertThat(backward.incompatibilities(ADDED_WITHOUT_DEFAULT, V1))
                .singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("/fields/1").contains("b");
    }

    @Test
    void forwardLetsTheOldSchemaReadNewData() {
        CompatibilityLevel forward = CompatibilityLevel.FORWARD;
        assertThat(forward.incompatibilities(ADDED_WITHOUT_DEFAULT, V1)).as("old readers skip the new field")
                .isEmpty();
        assertThat(forward.incompatibilities(V1, ADDED_WITHOUT_DEFAULT)).as("old readers need b, it is gone")
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void fullNeedsBothDirections() {
        CompatibilityLevel full = CompatibilityLevel.FULL;
        assertThat(full.incompatibilities(ADDED_WITH_DEFAULT, V1)).isEmpty();
        assertThat(full.incompatibilities(V1, ADDED_WITH_DEFAULT)).isEmpty();
        assertThat(full.incompatibilities(ADDED_WITHOUT_DEFAULT, V1)).hasSize(1);
        assertThat(full.incompatibilities(V1, ADDED_WITHOUT_DEFAULT)).hasSize(1);
    }

    @Test
    void typePromotionFollowsAvro() {
        Schema asInt = new Schema.Parser().parse("\"int\"");
        Schema asLong = new Schema.Parser().parse("\"long\"");
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(asLong, asInt)).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(asInt, asLong))
                .singleElement().asString().contains("TYPE_MISMATCH");
        assertThat(CompatibilityLevel.FULL.incompatibilities(asLong, asInt)).hasSize(1);
    }

    @Test
    void plainLevelsCheckTheNewestVersionTransitiveOnesAll() {
        // v2 gave b a default, v3 drops it: fine against v2, not against v1, whose data has no b
        List<Schema> history = List.of(V1, ADDED_WITH_DEFAULT);
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(ADDED_WITHOUT_DEFAULT, history)).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.incompatibilities(ADDED_WITHOUT_DEFAULT, history))
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(CompatibilityLevel.FULL_TRANSITIVE.incompatibilities(ADDED_WITHOUT_DEFAULT, history))
                .hasSize(1);

        assertThat(CompatibilityLevel.BACKWARD.checkedVersions(List.of(1, 2, 3))).containsExactly(3);
        assertThat(CompatibilityLevel.FORWARD_TRANSITIVE.checkedVersions(List.of(1, 2, 3))).containsExactly(1, 2, 3);
        assertThat(CompatibilityLevel.FULL.checkedVersions(List.of())).isEmpty();
    }

    @Test
    void noneAcceptsAnything() {
        Schema string = new Schema.Parser().parse("\"string\"");
        assertThat(CompatibilityLevel.NONE.incompatibilities(string, List.of(V1, ADDED_WITHOUT_DEFAULT))).isEmpty();
        assertThat(CompatibilityLevel.NONE.checkedVersions(List.of(1, 2))).isEmpty();
    }

    @Test
    void renamedRecordsAreIncompatibleUnlessAliased() {
        Schema renamed = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Measurement\",\"namespace\":\"t\","
                + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
        Schema aliased = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Measurement\",\"namespace\":\"t\","
                + "\"aliases\":[\"t.Reading\"],\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(renamed, V1))
                .singleElement().asString().contains("NAME_MISMATCH");
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(aliased, V1)).isEmpty();
    }
}
