package io.tributary.registry.contract;

import static io.tributary.schemas.registry.CompatibilityLevel.BACKWARD;
import static io.tributary.schemas.registry.CompatibilityLevel.BACKWARD_TRANSITIVE;
import static io.tributary.schemas.registry.CompatibilityLevel.FORWARD;
import static io.tributary.schemas.registry.CompatibilityLevel.FORWARD_TRANSITIVE;
import static io.tributary.schemas.registry.CompatibilityLevel.FULL;
import static io.tributary.schemas.registry.CompatibilityLevel.FULL_TRANSITIVE;
import static io.tributary.schemas.registry.CompatibilityLevel.NONE;
import static io.tributary.schemas.registry.SchemaRegistryException.INCOMPATIBLE_SCHEMA;
import static io.tributary.schemas.registry.SchemaRegistryException.SCHEMA_NOT_FOUND;
import static io.tributary.schemas.registry.SchemaRegistryException.SUBJECT_NOT_FOUND;
import static io.tributary.schemas.registry.SchemaRegistryException.SUBJECT_NOT_SOFT_DELETED;
import static io.tributary.schemas.registry.SchemaRegistryException.SUBJECT_SOFT_DELETED;
import static io.tributary.schemas.registry.SchemaRegistryException.VERSION_NOT_FOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.registry.CompatibilityLevel;
import io.tributary.schemas.registry.CompatibilityResult;
import io.tributary.schemas.registry.ConfluentAvroDeserializer;
import io.tributary.schemas.registry.ConfluentAvroSerdeConfig;
import io.tributary.schemas.registry.ConfluentAvroSerializer;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.HttpSchemaRegistryClient;
import io.tributary.schemas.registry.RegisteredSchema;
import io.tributary.schemas.registry.RegistrySettings;
import io.tributary.schemas.registry.SchemaRegistryClient;
import io.tributary.schemas.registry.SchemaRegistryException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract of {@link HttpSchemaRegistryClient} and the Confluent serdes with a Confluent-compatible registry,
 * run end to end against a real one: each subclass names a registry ({@link #baseUrl()}) and the ways it knowingly
 * deviates from Confluent's Schema Registry ({@link #deviations()}). The assertions are Confluent's behaviour; one
 * is relaxed only where a declared {@link RegistryDeviation} says so.
 *
 * <p>Registries are shared within the test JVM: every test works on subjects of its own ({@link #subject}) and
 * puts back the global compatibility level it changes. What is read back to be checked is read with a client of
 * its own ({@link #fresh()}), so that it comes from the registry, not from a cache.
 */
abstract class SchemaRegistryContract {

    static final Schema ORDER_V1 = parse("""
            {"type":"record","name":"Order","namespace":"io.tributary.contract","fields":[
              {"name":"id","type":"string"},
              {"name":"amount","type":"long"}]}""");
    /** V1 and a field with a default: BACKWARD compatible with V1. */
    static final Schema ORDER_V2 = parse("""
            {"type":"record","name":"Order","namespace":"io.tributary.contract","fields":[
              {"name":"id","type":"string"},
              {"name":"amount","type":"long"},
              {"name":"currency","type":"string","default":"EUR"}]}""");
    /** V1 and a field without a default: V1's data cannot be read with it (not BACKWARD compatible). */
    static final Schema ORDER_WITH_FIELD_WITHOUT_DEFAULT = parse("""
            {"type":"record","name":"Order","namespace":"io.tributary.contract","fields":[
              {"name":"id","type":"string"},
              {"name":"amount","type":"long"},
              {"name":"customer","type":"string"}]}""");
    /** V1 with {@code amount} a string: long does not promote to string (not BACKWARD compatible). */
    static final Schema ORDER_WITH_CHANGED_TYPE = parse("""
            {"type":"record","name":"Order","namespace":"io.tributary.contract","fields":[
              {"name":"id","type":"string"},
              {"name":"amount","type":"string"}]}""");
    /** Every kind of Avro type, logical types, docs, aliases and a property of its own. */
    static final Schema EVERY_KIND = parse("""
            {"type":"record","name":"Reading","namespace":"io.tributary.contract","doc":"A sensor reading",
             "aliases":["Measurement"],"x-owner":"contract-tests","fields":[
              {"name":"sensor","type":"string","doc":"which sensor"},
              {"name":"seq","type":"int","default":0},
              {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"trace","type":{"type":"string","logicalType":"uuid"}},
              {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
              {"name":"value","type":"double"},
              {"name":"ratio","type":"float","default":1.5},
              {"name":"ok","type":"boolean","default":true},
              {"name":"raw","type":"bytes","default":"\\u00ff"},
              {"name":"mac","type":{"type":"fixed","name":"Mac","size":6}},
              {"name":"unit","type":{"type":"enum","name":"Unit","symbols":["C","F"],"default":"C"}},
              {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
              {"name":"attributes","type":{"type":"map","values":["null","long"]},"default":{}},
              {"name":"note","type":["null","string"],"default":null},
              {"name":"previous","type":["null","Reading"],"default":null}]}""");
    static final Schema SHIPMENT = parse("""
            {"type":"record","name":"Shipment","namespace":"io.tributary.contract","fields":[
              {"name":"order","type":"string"},
              {"name":"carrier","type":["null","string"],"default":null}]}""");

    /** No registry in these tests hands out this many ids. */
    static final int UNKNOWN_ID = 1_999_999_999;

    /** Subjects of this JVM differ from those a registry may keep from an earlier run. */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final List<SchemaRegistryClient> clients = new ArrayList<>();
    private String prefix;
    /** The client under test, as an application holds it: caching. */
    private SchemaRegistryClient registry;

    /** The base URL of the registry's Confluent API, what {@code schema.registry.url} is set to. */
    protected abstract String baseUrl();

    /** Where the registry knowingly answers otherwise than Confluent's; none by default. */
    protected Set<RegistryDeviation> deviations() {
        return Set.of();
    }

    @BeforeEach
    void newClient(TestInfo test) {
        prefix = "contract-" + RUN + "-" + TESTS.incrementAndGet() + "-"
                + test.getTestMethod().map(Method::getName).orElse("test");
        registry = fresh();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(SchemaRegistryClient::close);
        clients.clear();
    }

    // --- register

    @Test
    void registeringGivesAnIdThatNamesTheSchema() {
        String subject = subject("orders-value");

        int id = registry.register(subject, ORDER_V1);

        assertThat(id).isPositive();
        SchemaRegistryClient reader = fresh();
        assertThat(reader.schemaById(id)).isEqualTo(ORDER_V1);
        assertThat(reader.versions(subject)).containsExactly(1);
        assertThat(reader.version(subject, 1)).isEqualTo(new RegisteredSchema(subject, id, 1, ORDER_V1));
    }

    @Test
    void aSchemaOfEveryKindComesBackAsRegistered() {
        String subject = subject("readings-value");

        int id = registry.register(subject, EVERY_KIND);

        SchemaRegistryClient reader = fresh();
        assertThat(reader.schemaById(id)).isEqualTo(EVERY_KIND);
        assertThat(reader.latest(subject)).isEqualTo(new RegisteredSchema(subject, id, 1, EVERY_KIND));
        assertThat(reader.lookup(subject, EVERY_KIND)).contains(new RegisteredSchema(subject, id, 1, EVERY_KIND));
        assertThat(reader.schemaById(id).getObjectProp("x-owner")).isEqualTo("contract-tests");
    }

    @Test
    void registeringASchemaAgainGivesItsIdAndNoNewVersion() {
        String subject = subject("orders-value");
        int v1 = registry.register(subject, ORDER_V1);

        assertThat(fresh().register(subject, ORDER_V1)).isEqualTo(v1);
        assertThat(fresh().versions(subject)).containsExactly(1);

        int v2 = registry.register(subject, ORDER_V2);
        assertThat(v2).isNotEqualTo(v1);
        // a schema of an earlier version is that version, not a new one
        assertThat(fresh().register(subject, ORDER_V1)).isEqualTo(v1);
        assertThat(fresh().register(subject, ORDER_V2)).isEqualTo(v2);
        assertThat(fresh().versions(subject)).containsExactly(1, 2);
    }

    @Test
    void theSameSchemaHasTheSameIdInEverySubject() {
        String orders = subject("orders-value");
        String archive = subject("archive-value");

        int id = registry.register(orders, ORDER_V1);

        assertThat(registry.register(archive, ORDER_V1)).isEqualTo(id);
        assertThat(fresh().version(archive, 1)).isEqualTo(new RegisteredSchema(archive, id, 1, ORDER_V1));
        assertThat(registry.register(subject("shipments-value"), SHIPMENT)).isNotEqualTo(id);
    }

    @Test
    void subjectNamesAreSentAsOnePathSegment() {
        // RecordNameStrategy's dots, and characters that must be escaped in a path
        String subject = subject("a/b c+d:io.tributary.contract.Order");

        int id = registry.register(subject, ORDER_V1);

        SchemaRegistryClient reader = fresh();
        assertThat(reader.subjects()).contains(subject);
        assertThat(reader.latest(subject)).isEqualTo(new RegisteredSchema(subject, id, 1, ORDER_V1));
        assertThat(reader.lookup(subject, ORDER_V1)).contains(new RegisteredSchema(subject, id, 1, ORDER_V1));
    }

    // --- lookup, schemas by id

    @Test
    void lookupFindsTheVersionThatIsTheSchema() {
        String subject = subject("orders-value");
        int v1 = registry.register(subject, ORDER_V1);
        int v2 = registry.register(subject, ORDER_V2);

        assertThat(fresh().lookup(subject, ORDER_V1)).contains(new RegisteredSchema(subject, v1, 1, ORDER_V1));
        assertThat(fresh().lookup(subject, ORDER_V2)).contains(new RegisteredSchema(subject, v2, 2, ORDER_V2));
    }

    @Test
    void lookupOfASchemaTheSubjectDoesNotHaveIsEmpty() {
        String subject = subject("orders-value");
        registry.register(subject, ORDER_V1);

        assertThat(fresh().lookup(subject, SHIPMENT)).isEmpty();
        assertThat(fresh().lookup(subject("unknown-value"), ORDER_V1)).isEmpty();
    }

    @Test
    void anUnknownSchemaIdIsNotFound() {
        assertNotFound(() -> fresh().schemaById(UNKNOWN_ID), SCHEMA_NOT_FOUND);
    }

    // --- latest, versions, subjects

    @Test
    void latestVersionsAndSubjectsListWhatWasRegistered() {
        String subject = subject("orders-value");
        String other = subject("shipments-value");
        int v1 = registry.register(subject, ORDER_V1);
        int v2 = registry.register(subject, ORDER_V2);
        registry.register(other, SHIPMENT);

        SchemaRegistryClient reader = fresh();
        assertThat(reader.latest(subject)).isEqualTo(new RegisteredSchema(subject, v2, 2, ORDER_V2));
        assertThat(reader.version(subject, 1)).isEqualTo(new RegisteredSchema(subject, v1, 1, ORDER_V1));
        assertThat(reader.version(subject, 2)).isEqualTo(new RegisteredSchema(subject, v2, 2, ORDER_V2));
        assertThat(reader.versions(subject)).containsExactly(1, 2);
        assertThat(reader.versions(other)).containsExactly(1);
        assertThat(reader.subjects()).contains(subject, other);
    }

    @Test
    void unknownSubjectsAndVersionsAreNotFound() {
        String subject = subject("orders-value");
        String unknown = subject("unknown-value");
        registry.register(subject, ORDER_V1);
        SchemaRegistryClient reader = fresh();

        assertNotFound(() -> reader.version(subject, 2), VERSION_NOT_FOUND);
        assertNotFound(() -> reader.checkCompatibility(subject, 2, ORDER_V2), VERSION_NOT_FOUND);
        int noSuchSubject = deviates(RegistryDeviation.VERSION_OF_UNKNOWN_SUBJECT_IS_VERSION_NOT_FOUND)
                ? VERSION_NOT_FOUND : SUBJECT_NOT_FOUND;
        assertNotFound(() -> reader.version(unknown, 1), noSuchSubject);
        assertNotFound(() -> reader.latest(unknown), noSuchSubject);
        assertNotFound(() -> reader.versions(unknown), SUBJECT_NOT_FOUND);
        assertThat(reader.subjects()).doesNotContain(unknown);
    }

    // --- compatibility

    @Test
    void backwardAdmitsAFieldAddedWithADefault() {
        String subject = subject("orders-value");
        assertThat(registry.setSubjectCompatibility(subject, BACKWARD)).isEqualTo(BACKWARD);
        int v1 = registry.register(subject, ORDER_V1);

        CompatibilityResult check = fresh().checkCompatibility(subject, ORDER_V2);
        assertThat(check.compatible()).as("%s", check).isTrue();
        assertThat(check.messages()).isEmpty();
        assertThat(fresh().checkCompatibility(subject, 1, ORDER_V2).compatible()).isTrue();

        int v2 = registry.register(subject, ORDER_V2);
        assertThat(v2).isNotEqualTo(v1);
        assertThat(fresh().latest(subject)).isEqualTo(new RegisteredSchema(subject, v2, 2, ORDER_V2));
    }

    @Test
    void backwardRefusesAFieldWithoutADefaultAndAChangedType() {
        String subject = subject("orders-value");
        registry.setSubjectCompatibility(subject, BACKWARD);
        registry.register(subject, ORDER_V1);

        for (Schema incompatible : List.of(ORDER_WITH_FIELD_WITHOUT_DEFAULT, ORDER_WITH_CHANGED_TYPE)) {
            CompatibilityResult check = fresh().checkCompatibility(subject, incompatible);
            assertThat(check.compatible()).as("%s: %s", incompatible, check).isFalse();
            if (deviates(RegistryDeviation.COMPATIBILITY_REASON_INSTEAD_OF_MESSAGES)) {
                assertThat(check.messages()).isEmpty();
            } else {
                assertThat(check.messages()).as("why %s is incompatible", incompatible).isNotEmpty();
            }
            assertThat(fresh().checkCompatibility(subject, 1, incompatible).compatible()).isFalse();

            SchemaRegistryException refused = failure(() -> fresh().register(subject, incompatible));
            assertThat(refused.isIncompatible()).as(refused.getMessage()).isTrue();
            assertThat(refused.errorCode()).as(refused.getMessage())
                    .isEqualTo(deviates(RegistryDeviation.INCOMPATIBLE_WITHOUT_ERROR_CODE) ? 0 : INCOMPATIBLE_SCHEMA);
        }
        assertThat(fresh().versions(subject)).containsExactly(1);
    }

    @Test
    void aSubjectWithoutVersionsAcceptsAnySchema() {
        String subject = subject("orders-value");
        registry.setSubjectCompatibility(subject, BACKWARD);

        assertThat(fresh().checkCompatibility(subject, ORDER_WITH_CHANGED_TYPE).compatible()).isTrue();
        assertThat(fresh().checkCompatibility(subject("unknown-value"), ORDER_WITH_CHANGED_TYPE).compatible())
                .isTrue();
    }

    @Test
    void theGlobalLevelAppliesToSubjectsWithoutOneOfTheirOwn() {
        String subject = subject("orders-value");
        CompatibilityLevel before = registry.globalCompatibility();
        try {
            assertThat(registry.setGlobalCompatibility(BACKWARD)).isEqualTo(BACKWARD);
            assertThat(fresh().globalCompatibility()).isEqualTo(BACKWARD);
            registry.register(subject, ORDER_V1);

            if (deviates(RegistryDeviation.SUBJECT_WITHOUT_LEVEL_READS_NONE)) {
                assertThat(fresh().subjectCompatibility(subject)).contains(NONE);
            } else {
                assertThat(fresh().subjectCompatibility(subject)).isEmpty();
            }
            assertThat(fresh().checkCompatibility(subject, ORDER_WITH_CHANGED_TYPE).compatible()).isFalse();
            assertThat(failure(() -> fresh().register(subject, ORDER_WITH_CHANGED_TYPE)).isIncompatible()).isTrue();
            assertThat(fresh().checkCompatibility(subject, ORDER_V2).compatible()).isTrue();

            // the subject's own level wins: FORWARD admits a field without a default, which BACKWARD refuses
            assertThat(registry.setSubjectCompatibility(subject, FORWARD)).isEqualTo(FORWARD);
            assertThat(fresh().subjectCompatibility(subject)).contains(FORWARD);
            assertThat(fresh().checkCompatibility(subject, ORDER_WITH_FIELD_WITHOUT_DEFAULT).compatible()).isTrue();
            int customer = fresh().register(subject, ORDER_WITH_FIELD_WITHOUT_DEFAULT);
            assertThat(fresh().latest(subject)).isEqualTo(
                    new RegisteredSchema(subject, customer, 2, ORDER_WITH_FIELD_WITHOUT_DEFAULT));

            // also NONE, which switches the checks off
            assertThat(registry.setSubjectCompatibility(subject, NONE)).isEqualTo(NONE);
            assertThat(fresh().subjectCompatibility(subject)).contains(NONE);
            if (deviates(RegistryDeviation.SUBJECT_LEVEL_NONE_FALLS_BACK_TO_GLOBAL)) {
                assertThat(fresh().checkCompatibility(subject, ORDER_WITH_CHANGED_TYPE).compatible()).isFalse();
            } else {
                assertThat(fresh().checkCompatibility(subject, ORDER_WITH_CHANGED_TYPE).compatible()).isTrue();
                int changed = fresh().register(subject, ORDER_WITH_CHANGED_TYPE);
                assertThat(fresh().latest(subject)).isEqualTo(
                        new RegisteredSchema(subject, changed, 3, ORDER_WITH_CHANGED_TYPE));
            }
        } finally {
            restoreGlobalCompatibility(before);
        }
    }

    @Test
    void compatibilityLevelsAreSetAndRead() {
        String subject = subject("orders-value");
        assertThat(fresh().subjectCompatibility(subject("unknown-value"))).isEmpty();

        // a subject needs no versions to have a level; NONE last, below
        List<CompatibilityLevel> levels = List.of(BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
                FULL_TRANSITIVE);
        for (CompatibilityLevel level : levels) {
            assertThat(registry.setSubjectCompatibility(subject, level)).isEqualTo(level);
            assertThat(fresh().subjectCompatibility(subject)).as("level of %s", subject).contains(level);
        }

        CompatibilityLevel before = registry.globalCompatibility();
        try {
            for (CompatibilityLevel level : List.of(FULL, FULL, FORWARD_TRANSITIVE, NONE)) {
                assertThat(registry.setGlobalCompatibility(level)).isEqualTo(level);
                assertThat(fresh().globalCompatibility()).isEqualTo(level);
            }
            // setting a level is idempotent
            if (deviates(RegistryDeviation.GLOBAL_NONE_AGAIN_IS_NOT_FOUND)) {
                assertThat(failure(() -> registry.setGlobalCompatibility(NONE)).status()).isEqualTo(404);
            } else {
                assertThat(registry.setGlobalCompatibility(NONE)).isEqualTo(NONE);
            }
            assertThat(fresh().globalCompatibility()).isEqualTo(NONE);
            // the subject keeps its own
            assertThat(fresh().subjectCompatibility(subject)).contains(FULL_TRANSITIVE);
        } finally {
            restoreGlobalCompatibility(before);
        }
        assertThat(fresh().globalCompatibility()).isEqualTo(before);

        assertThat(registry.setSubjectCompatibility(subject, NONE)).isEqualTo(NONE);
        if (deviates(RegistryDeviation.SUBJECT_LEVEL_NONE_FALLS_BACK_TO_GLOBAL)) {
            // the subject's level is gone, and without versions the subject with it
            assertThat(fresh().subjectCompatibility(subject)).isEmpty();
        } else {
            assertThat(fresh().subjectCompatibility(subject)).contains(NONE);
        }
    }

    // --- delete

    @Test
    void aSoftDeletedSubjectIsGoneButItsSchemaIdsStay() {
        String subject = subject("orders-value");
        int v1 = registry.register(subject, ORDER_V1);
        int v2 = registry.register(subject, ORDER_V2);

        assertThat(registry.deleteSubject(subject)).containsExactly(1, 2);

        SchemaRegistryClient reader = fresh();
        assertThat(reader.subjects()).doesNotContain(subject);
        // records written with the ids stay readable
        assertThat(reader.schemaById(v1)).isEqualTo(ORDER_V1);
        assertThat(reader.schemaById(v2)).isEqualTo(ORDER_V2);
        if (deviates(RegistryDeviation.SOFT_DELETED_SUBJECT_STAYS_READABLE)) {
            assertThat(reader.versions(subject)).containsExactly(1, 2);
            assertThat(reader.latest(subject).version()).isIn(1, 2);
            assertThat(reader.version(subject, 1)).isEqualTo(new RegisteredSchema(subject, v1, 1, ORDER_V1));
            assertThat(reader.lookup(subject, ORDER_V2)).contains(new RegisteredSchema(subject, v2, 2, ORDER_V2));
        } else {
            assertNotFound(() -> reader.versions(subject), SUBJECT_NOT_FOUND);
            assertNotFound(() -> reader.latest(subject), SUBJECT_NOT_FOUND);
            assertNotFound(() -> reader.version(subject, 1), SUBJECT_NOT_FOUND);
            assertThat(reader.lookup(subject, ORDER_V2)).isEmpty();
        }

        SchemaRegistryException again = failure(() -> fresh().deleteSubject(subject));
        if (deviates(RegistryDeviation.SECOND_SOFT_DELETE_IS_BAD_REQUEST)) {
            assertThat(again.status()).as(again.getMessage()).isEqualTo(400);
        } else {
            assertThat(again.isNotFound()).as(again.getMessage()).isTrue();
            assertThat(again.errorCode()).as(again.getMessage()).isEqualTo(SUBJECT_SOFT_DELETED);
        }
        assertNotFound(() -> fresh().deleteSubject(subject("unknown-value")), SUBJECT_NOT_FOUND);
    }

    @Test
    void registeringUnderASoftDeletedSubjectAddsAVersionAfterTheDeletedOnes() {
        String subject = subject("orders-value");
        int v1 = registry.register(subject, ORDER_V1);
        registry.register(subject, ORDER_V2);
        registry.deleteSubject(subject);

        assertThat(fresh().register(subject, ORDER_V1)).isEqualTo(v1);

        SchemaRegistryClient reader = fresh();
        if (deviates(RegistryDeviation.REREGISTERING_UNDER_SOFT_DELETED_SUBJECT_KEEPS_IT_DELETED)) {
            assertThat(reader.subjects()).doesNotContain(subject);
        } else {
            assertThat(reader.subjects()).contains(subject);
            assertThat(reader.versions(subject)).containsExactly(3);
            assertThat(reader.latest(subject)).isEqualTo(new RegisteredSchema(subject, v1, 3, ORDER_V1));
        }
    }

    @Test
    void aPermanentDeleteFollowsASoftDelete() {
        String subject = subject("orders-value");
        registry.register(subject, ORDER_V1);

        if (deviates(RegistryDeviation.PERMANENT_DELETE_WITHOUT_SOFT_DELETE)) {
            String other = subject("shipments-value");
            registry.register(other, SHIPMENT);
            assertThat(fresh().deleteSubject(other, true)).containsExactly(1);
            assertNotFound(() -> fresh().versions(other), SUBJECT_NOT_FOUND);
        } else {
            SchemaRegistryException refused = failure(() -> fresh().deleteSubject(subject, true));
            assertThat(refused.isNotFound()).as(refused.getMessage()).isTrue();
            assertThat(refused.errorCode()).as(refused.getMessage()).isEqualTo(SUBJECT_NOT_SOFT_DELETED);
            assertThat(fresh().versions(subject)).containsExactly(1);
        }

        assertThat(registry.deleteSubject(subject)).containsExactly(1);
        assertThat(registry.deleteSubject(subject, true)).containsExactly(1);

        assertNotFound(() -> fresh().versions(subject), SUBJECT_NOT_FOUND);
        assertThat(fresh().subjects()).doesNotContain(subject);
    }

    // --- serdes

    @Test
    void aGenericRecordMakesTheRoundTripThroughTheSerdes() {
        String topic = subject("orders");
        Map<String, Object> config = Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, baseUrl());
        try (ConfluentAvroSerializer<Object> values = new ConfluentAvroSerializer<>();
                ConfluentAvroSerializer<Object> keys = new ConfluentAvroSerializer<>();
                ConfluentAvroDeserializer<Object> valueReader = new ConfluentAvroDeserializer<>();
                ConfluentAvroDeserializer<Object> keyReader = new ConfluentAvroDeserializer<>()) {
            values.configure(config, false);
            keys.configure(config, true);
            valueReader.configure(config, false);
            keyReader.configure(config, true);

            byte[] value = values.serialize(topic, order(ORDER_V1, "o-1", 1250));
            byte[] key = keys.serialize(topic, "o-1");

            assertThat(value[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
            assertThat(fresh().lookup(topic + "-value", ORDER_V1)).map(RegisteredSchema::id)
                    .contains(ConfluentWireFormat.schemaId(value));
            assertThat(fresh().latest(topic + "-key").schema()).isEqualTo(Schema.create(Schema.Type.STRING));
            assertThat(fresh().latest(topic + "-key").id()).isEqualTo(ConfluentWireFormat.schemaId(key));

            GenericRecord read = (GenericRecord) valueReader.deserialize(topic, value);
            assertThat(read.getSchema()).isEqualTo(ORDER_V1);
            assertThat(read.get("id")).hasToString("o-1");
            assertThat(read.get("amount")).isEqualTo(1250L);
            assertThat(keyReader.deserialize(topic, key)).isEqualTo("o-1");
        }
    }

    @Test
    void aRecordIsReadIntoTheLatestSchemaWithTheAddedFieldsDefault() {
        String topic = subject("orders");
        String subject = topic + "-value";
        registry.setSubjectCompatibility(subject, BACKWARD);
        Map<String, Object> config = Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, baseUrl());
        Map<String, Object> latest = new HashMap<>(config);
        latest.put(ConfluentAvroSerdeConfig.USE_LATEST_VERSION, "true");
        try (ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>();
                ConfluentAvroDeserializer<Object> asWritten = new ConfluentAvroDeserializer<>();
                ConfluentAvroDeserializer<Object> asLatest = new ConfluentAvroDeserializer<>()) {
            serializer.configure(config, false);
            asWritten.configure(config, false);
            asLatest.configure(latest, false);

            byte[] old = serializer.serialize(topic, order(ORDER_V1, "o-1", 1250));
            int v2 = registry.register(subject, ORDER_V2);

            GenericRecord read = (GenericRecord) asLatest.deserialize(topic, old);
            assertThat(read.getSchema()).isEqualTo(ORDER_V2);
            assertThat(read.get("id")).hasToString("o-1");
            assertThat(read.get("amount")).isEqualTo(1250L);
            assertThat(read.get("currency")).hasToString("EUR");

            GenericRecord chf = order(ORDER_V2, "o-2", 990);
            chf.put("currency", "CHF");
            byte[] current = serializer.serialize(topic, chf);
            assertThat(ConfluentWireFormat.schemaId(current)).isEqualTo(v2);
            GenericRecord written = (GenericRecord) asWritten.deserialize(topic, current);
            assertThat(written.getSchema()).isEqualTo(ORDER_V2);
            assertThat(written.get("currency")).hasToString("CHF");
            assertThat(((GenericRecord) asWritten.deserialize(topic, old)).getSchema()).isEqualTo(ORDER_V1);
        }
    }

    @Test
    void withoutAutoRegisterTheSerializerUsesOnlyARegisteredSchema() {
        String topic = subject("orders");
        Map<String, Object> config = Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, baseUrl(),
                ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        try (ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>()) {
            serializer.configure(config, false);
            GenericRecord order = order(ORDER_V1, "o-1", 1250);

            assertThatThrownBy(() -> serializer.serialize(topic, order))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("is not registered under subject '" + topic + "-value'");

            int id = registry.register(topic + "-value", ORDER_V1);
            assertThat(ConfluentWireFormat.schemaId(serializer.serialize(topic, order))).isEqualTo(id);
        }
    }

    @Test
    void theSerdesReportAnIncompatibleSchemaAndAnUnknownId() {
        String topic = subject("orders");
        registry.setSubjectCompatibility(topic + "-value", BACKWARD);
        Map<String, Object> config = Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, baseUrl());
        try (ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>();
                ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>()) {
            serializer.configure(config, false);
            deserializer.configure(config, false);
            serializer.serialize(topic, order(ORDER_V1, "o-1", 1250));

            GenericRecord changed = new GenericData.Record(ORDER_WITH_CHANGED_TYPE);
            changed.put("id", "o-2");
            changed.put("amount", "12.50");
            assertThatThrownBy(() -> serializer.serialize(topic, changed))
                    .isInstanceOf(SerializationException.class)
                    .cause().isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.isIncompatible()).isTrue());

            byte[] unknown = ByteBuffer.allocate(7).put(ConfluentWireFormat.header(UNKNOWN_ID))
                    .put((byte) 2).put((byte) 'x').array();
            assertThatThrownBy(() -> deserializer.deserialize(topic, unknown))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("unknown schema id " + UNKNOWN_ID);
        }
    }

    // --- helpers

    /** A subject (or topic) name of this test only. */
    String subject(String name) {
        return prefix + "-" + name;
    }

    /** A client of its own, with nothing cached: what it answers comes from the registry. */
    SchemaRegistryClient fresh() {
        SchemaRegistryClient client = new HttpSchemaRegistryClient(RegistrySettings.of(baseUrl()));
        clients.add(client);
        return client;
    }

    /** Puts back the global level a test changed (only if it differs: some registries refuse NONE twice). */
    void restoreGlobalCompatibility(CompatibilityLevel before) {
        if (fresh().globalCompatibility() != before) {
            registry.setGlobalCompatibility(before);
        }
    }

    boolean deviates(RegistryDeviation deviation) {
        return deviations().contains(deviation);
    }

    static GenericRecord order(Schema schema, String id, long amount) {
        GenericRecord order = new GenericData.Record(schema);
        order.put("id", id);
        order.put("amount", amount);
        return order;
    }

    static SchemaRegistryException failure(Runnable call) {
        try {
            call.run();
        } catch (SchemaRegistryException e) {
            return e;
        }
        throw new AssertionError("expected the registry to refuse the request");
    }

    static void assertNotFound(Runnable call, int errorCode) {
        SchemaRegistryException e = failure(call);
        assertThat(e.isNotFound()).as("404: %s", e.getMessage()).isTrue();
        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(errorCode);
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
