package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The fake registry behaves as Confluent's does, so that tests using it mean something. */
class InMemorySchemaRegistryClientTest {

    static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": [" + fields + "]}");
    }

    static final Schema A = record("{\"name\": \"a\", \"type\": \"int\"}");
    /** A plus a field with a default: backward and forward compatible with A. */
    static final Schema A_B_DEFAULT = record("{\"name\": \"a\", \"type\": \"int\"},"
            + "{\"name\": \"b\", \"type\": \"string\", \"default\": \"x\"}");
    /** A plus a field without default: forward but not backward compatible with A. */
    static final Schema A_B_REQUIRED = record("{\"name\": \"a\", \"type\": \"int\"},"
            + "{\"name\": \"b\", \"type\": \"string\"}");
    /** Only b: reads A's data (b has a default), but A cannot read its data (a has no default). */
    static final Schema B_ONLY = record("{\"name\": \"b\", \"type\": \"string\", \"default\": \"x\"}");

    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    static void assertRegistryError(ThrowingCallable call, int status, int errorCode) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.errorCode()).isEqualTo(errorCode);
            assertThat(e.registryMessage()).isNotBlank();
        });
    }

    @Test
    void theSameSchemaTextHasTheSameIdInEverySubject() {
        int first = registry.register("one", A);
        int second = registry.register("two", new Schema.Parser().parse(A.toString()));
        int other = registry.register("two", A_B_DEFAULT);

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(registry.version("two", 1).id()).isEqualTo(first);
        assertThat(registry.version("two", 2).id()).isEqualTo(other);
    }

    @Test
    void registeringAgainAddsNoVersion() {
        assertThat(registry.register("s", A)).isEqualTo(registry.register("s", A));

        assertThat(registry.versions("s")).containsExactly(1);
        assertThat(registry.lookup("s", A)).contains(new RegisteredSchema("s", 1, 1, A));
        assertThat(registry.lookup("s", A_B_DEFAULT)).isEmpty();
        assertThat(registry.lookup("nothing", A)).isEmpty();
    }

    @Test
    void defaultLevelIsBackward() {
        registry.register("s", A);

        assertThat(registry.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(registry.checkCompatibility("s", A_B_DEFAULT).compatible()).isTrue();
        CompatibilityResult refused = registry.checkCompatibility("s", A_B_REQUIRED);
        assertThat(refused.compatible()).isFalse();
        assertThat(refused.messages()).anySatisfy(m -> assertThat(m).contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
        assertRegistryError(() -> registry.register("s", A_B_REQUIRED), 409, 409);
        assertThat(registry.versions("s")).containsExactly(1);
    }

    @Test
    void forwardRefusesWhatTheOldSchemaCannotRead() {
        registry.setGlobalCompatibility(CompatibilityLevel.FORWARD);
        registry.register("s", A);

        assertThat(registry.checkCompatibility("s", A_B_REQUIRED).compatible()).isTrue();
        assertThat(registry.checkCompatibility("s", B_ONLY).compatible()).isFalse();
    }

    @Test
    void fullNeedsBoth() {
        registry.setSubjectCompatibility("s", CompatibilityLevel.FULL);
        registry.register("s", A);

        assertThat(registry.subjectCompatibility("s")).contains(CompatibilityLevel.FULL);
        assertThat(registry.checkCompatibility("s", A_B_DEFAULT).compatible()).isTrue();
        assertThat(registry.checkCompatibility("s", A_B_REQUIRED).compatible()).isFalse();
    }

    @Test
    void transitiveChecksEveryVersionNotOnlyTheLatest() {
        Schema v2 = record(""); // a removed: reads version 1 data
        Schema v3 = record("{\"name\": \"a\", \"type\": \"string\", \"default\": \"\"}"); // reads v2, not v1
        for (String subject : new String[] {"plain", "transitive"}) {
            registry.register(subject, A);
            registry.register(subject, v2);
        }
        registry.setSubjectCompatibility("transitive", CompatibilityLevel.BACKWARD_TRANSITIVE);

        assertThat(registry.register("plain", v3)).isPositive();
        assertRegistryError(() -> registry.register("transitive", v3), 409, 409);
        assertThat(registry.versions("transitive")).containsExactly(1, 2);
    }

    @Test
    void noneAcceptsAnything() {
        registry.setGlobalCompatibility(CompatibilityLevel.NONE);
        registry.register("s", A);

        assertThat(registry.register("s", Schema.create(Schema.Type.STRING))).isPositive();
        assertThat(registry.versions("s")).containsExactly(1, 2);
    }

    @Test
    void compatibilityWithAGivenVersion() {
        registry.setGlobalCompatibility(CompatibilityLevel.NONE);
        registry.register("s", A);
        registry.register("s", B_ONLY);
        registry.setSubjectCompatibility("s", CompatibilityLevel.BACKWARD);

        assertThat(registry.checkCompatibility("s", 1, A_B_DEFAULT).compatible()).isTrue();
        assertThat(registry.checkCompatibility("s", 2, A).compatible()).isFalse();
        assertThat(registry.checkCompatibility("empty", A).compatible()).isTrue();
    }

    @Test
    void notFoundErrorsCarryConfluentsCodes() {
        registry.register("s", A);

        assertRegistryError(() -> registry.schemaById(99), 404, 40403);
        assertRegistryError(() -> registry.latest("nope"), 404, 40401);
        assertRegistryError(() -> registry.version("nope", 1), 404, 40401);
        assertRegistryError(() -> registry.version("s", 7), 404, 40402);
        assertRegistryError(() -> registry.versions("nope"), 404, 40401);
        assertThat(registry.subjectCompatibility("s")).isEmpty();
    }

    @Test
    void softThenPermanentDelete() {
        registry.register("s", A);
        registry.register("s", A_B_DEFAULT);
        registry.register("t", A);

        assertRegistryError(() -> registry.deleteSubject("s", true), 404, 40405);
        assertThat(registry.deleteSubject("s")).containsExactly(1, 2);
        assertThat(registry.subjects()).containsExactly("t");
        assertRegistryError(() -> registry.latest("s"), 404, 40401);
        assertRegistryError(() -> registry.deleteSubject("s"), 404, 40404);
        assertThat(registry.schemaById(1)).isEqualTo(A); // ids stay
        assertThat(registry.deleteSubject("s", true)).containsExactly(1, 2);
        assertRegistryError(() -> registry.deleteSubject("s", true), 404, 40401);

        registry.register("s", A_B_DEFAULT);
        assertThat(registry.latest("s")).isEqualTo(new RegisteredSchema("s", 2, 1, A_B_DEFAULT));
    }

    @Test
    void subjectsAreListedInOrder() {
        registry.register("b", A);
        registry.register("a", A);

        assertThat(registry.subjects()).containsExactly("a", "b");
    }
}
