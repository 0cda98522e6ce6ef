package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {

    static final Schema V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}""");
    static final Schema V2 = new Schema.Parser().parse("""
            {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"},
             {"name": "b", "type": "string", "default": ""}]}""");

    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final CountingClient counting = new CountingClient(registry);
    final MutableClock clock = new MutableClock();
    final CachingSchemaRegistryClient cached = new CachingSchemaRegistryClient(counting, Duration.ofSeconds(30),
            clock);

    @Test
    void schemaByIdIsAskedOnce() {
        int id = registry.register("s", V1);

        for (int i = 0; i < 5; i++) {
            assertThat(cached.schemaById(id)).isEqualTo(V1);
        }

        assertThat(counting.calls("schemaById")).isEqualTo(1);
    }

    @Test
    void idOfASchemaUnderASubjectIsAskedOnce() {
        int first = cached.register("s", V1);
        int again = cached.register("s", V1);
        int elsewhere = cached.register("t", V1);

        assertThat(again).isEqualTo(first);
        assertThat(elsewhere).isEqualTo(first);
        assertThat(counting.calls("register")).isEqualTo(2); // once per subject
        assertThat(cached.schemaById(first)).isEqualTo(V1);
        assertThat(counting.calls("schemaById")).isZero();
    }

    @Test
    void lookupIsCachedOnceFoundButNotWhileAbsent() {
        assertThat(cached.lookup("s", V1)).isEmpty();
        registry.register("s", V1);

        assertThat(cached.lookup("s", V1)).get().extracting(RegisteredSchema::version).isEqualTo(1);
        assertThat(cached.lookup("s", V1)).isPresent();
        assertThat(cached.register("s", V1)).isEqualTo(1);

        assertThat(counting.calls("lookup")).isEqualTo(2);
        assertThat(counting.calls("register")).isZero();
    }

    @Test
    void latestIsCachedForItsTimeToLive() {
        registry.register("s", V1);
        assertThat(cached.latest("s").version()).isEqualTo(1);
        registry.register("s", V2);

        clock.advance(Duration.ofSeconds(29));
        assertThat(cached.latest("s").version()).isEqualTo(1);
        assertThat(counting.calls("latest")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(cached.latest("s").version()).isEqualTo(2);
        assertThat(counting.calls("latest")).isEqualTo(2);
    }

    @Test
    void registeringThroughTheCacheRefreshesLatest() {
        cached.register("s", V1);
        assertThat(cached.latest("s").version()).isEqualTo(1);

        cached.register("s", V2);

        assertThat(cached.latest("s").version()).isEqualTo(2);
    }

    @Test
    void zeroTimeToLiveAlwaysAsks() {
        CachingSchemaRegistryClient uncached = new CachingSchemaRegistryClient(counting, Duration.ZERO, clock);
        registry.register("s", V1);

        uncached.latest("s");
        uncached.latest("s");

        assertThat(counting.calls("latest")).isEqualTo(2);
    }

    @Test
    void failuresAreNotCached() {
        assertThatThrownBy(() -> cached.schemaById(1)).isInstanceOf(SchemaRegistryException.class);
        registry.register("s", V1);

        assertThat(cached.schemaById(1)).isEqualTo(V1);
        assertThat(counting.calls("schemaById")).isEqualTo(2);
    }

    @Test
    void deletingASubjectForgetsWhatWasCachedAboutIt() {
        cached.register("s", V1);
        cached.latest("s");

        cached.deleteSubject("s");

        assertThatThrownBy(() -> cached.latest("s")).isInstanceOf(SchemaRegistryException.class);
        cached.register("s", V1);
        assertThat(counting.calls("register")).isEqualTo(2);
        assertThat(registry.versions("s")).containsExactly(2); // Confluent goes on counting after a soft delete
    }

    @Test
    void everythingElseIsPassedThrough() {
        cached.setGlobalCompatibility(CompatibilityLevel.FULL);
        cached.setSubjectCompatibility("s", CompatibilityLevel.NONE);
        cached.register("s", V1);

        assertThat(cached.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL);
        assertThat(cached.subjectCompatibility("s")).contains(CompatibilityLevel.NONE);
        assertThat(cached.subjects()).containsExactly("s");
        assertThat(cached.versions("s")).containsExactly(1);
        assertThat(cached.version("s", 1).schema()).isEqualTo(V1);
        assertThat(cached.checkCompatibility("s", V2).compatible()).isTrue();
        cached.close();
        assertThat(counting.calls("close")).isEqualTo(1);
    }
}
