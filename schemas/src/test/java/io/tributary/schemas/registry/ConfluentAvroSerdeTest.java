package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.registry.testing.Address;
import io.tributary.schemas.registry.testing.AllTypes;
import io.tributary.schemas.registry.testing.Color;
import io.tributary.schemas.registry.testing.Md5;
import io.tributary.schemas.registry.testing.Person;
import io.tributary.schemas.registry.testing.Sensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Wire-format round trips of every Avro type through the serdes, against the in-memory registry. */
class ConfluentAvroSerdeTest {

    static final String TOPIC = "orders";

    /** The AllTypes schema as a non-Java producer would register it. */
    static final Schema ALL_TYPES = AvroDatums.withoutJavaProperties(AllTypes.getClassSchema());
    static final Schema ADDRESS = ALL_TYPES.getField("nested").schema();

    /** Version 1 of Person: name and age only. */
    static final Schema PERSON_V1 = new Schema.Parser().parse("""
            {"type": "record", "name": "Person", "namespace": "io.tributary.schemas.registry.testing",
             "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}]}""");

    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    static GenericRecord address(String street, String zip) {
        return new GenericRecordBuilder(ADDRESS).set("street", street).set("zip", zip).build();
    }

    static byte[] md5Bytes() {
        byte[] bytes = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 17);
        }
        return bytes;
    }

    /** An AllTypes record with logical types in Avro's own representation. */
    static GenericData.Record allTypesRaw() {
        Schema amount = ALL_TYPES.getField("amount").schema();
        ByteBuffer decimal = new Conversions.DecimalConversion().toBytes(new BigDecimal("12345.67"), amount,
                amount.getLogicalType());
        Map<String, Long> map = new HashMap<>();
        map.put("a", 1L);
        map.put("ünïcode", -2L);
        return new GenericRecordBuilder(ALL_TYPES)
                .set("aBoolean", true)
                .set("anInt", -7)
                .set("aLong", Long.MAX_VALUE)
                .set("aFloat", 1.5f)
                .set("aDouble", Math.PI)
                .set("aString", "héllo ✓")
                .set("someBytes", ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255}))
                .set("aFixed", new GenericData.Fixed(ALL_TYPES.getField("aFixed").schema(), md5Bytes()))
                .set("anEnum", new GenericData.EnumSymbol(ALL_TYPES.getField("anEnum").schema(), "GREEN"))
                .set("anArray", List.of(1, 2, 3))
                .set("aMap", map)
                .set("nested", address("Main Street 1", null))
                .set("addresses", List.of(address("A", "1000"), address("B", null)))
                .set("optional", null)
                .set("choice", address("C", "2000"))
                .set("amount", decimal)
                .set("day", (int) LocalDate.of(2026, 7, 1).toEpochDay())
                .set("at", Instant.parse("2026-07-01T12:34:56.789Z").toEpochMilli())
                .set("uuid", "0b7e8f4e-3c1d-4f3a-9a53-0e7f6d1b2c3d")
                .build();
    }

    static AllTypes allTypesSpecific() {
        return AllTypes.newBuilder()
                .setABoolean(false)
                .setAnInt(Integer.MIN_VALUE)
                .setALong(-1L)
                .setAFloat(Float.MAX_VALUE)
                .setADouble(-0.0)
                .setAString("")
                .setSomeBytes(ByteBuffer.wrap(new byte[0]))
                .setAFixed(new Md5(md5Bytes()))
                .setAnEnum(Color.BLUE)
                .setAnArray(List.of())
                .setAMap(Map.of("k", 42L))
                .setNested(Address.newBuilder().setStreet("Main").setZip("9999").build())
                .setAddresses(List.of(Address.newBuilder().setStreet("Side").build()))
                .setOptional("present")
                .setChoice(17)
                .setAmount(new BigDecimal("0.01"))
                .setDay(LocalDate.of(1969, 12, 31))
                .setAt(Instant.ofEpochMilli(-1))
                .setUuid(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"))
                .build();
    }

    static byte[] avroBinary(Schema schema, Object datum, GenericData model) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema, model).write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    <T> ConfluentAvroSerializer<T> serializer(Map<String, ?> config) {
        return new ConfluentAvroSerializer<>(registry, config, false);
    }

    <T> ConfluentAvroDeserializer<T> deserializer(Map<String, ?> config) {
        return new ConfluentAvroDeserializer<>(registry, config, false);
    }

    @Test
    void writesMagicByteSchemaIdAndAvroBinary() throws IOException {
        registry.register("other", Schema.create(Schema.Type.STRING)); // id 1, so that the record gets id 2
        GenericRecord record = allTypesRaw();

        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, record);

        int id = registry.lookup(TOPIC + "-value", ALL_TYPES).orElseThrow().id();
        assertThat(id).isEqualTo(2);
        assertThat(Arrays.copyOfRange(bytes, 0, 5)).containsExactly(0, 0, 0, 0, 2);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(avroBinary(ALL_TYPES, record,
                GenericData.get()));
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(2);
    }

    @Test
    void schemaIdIsBigEndian() {
        assertThat(ConfluentWireFormat.header(0x01020304)).containsExactly(0, 1, 2, 3, 4);
        assertThat(ConfluentWireFormat.schemaId(new byte[] {0, 0x7f, (byte) 0xff, 0, 1})).isEqualTo(0x7fff0001);
    }

    @Test
    void genericRecordOfEveryTypeRoundTrips() {
        GenericRecord record = allTypesRaw();

        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, record);
        GenericRecord back = new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, bytes);

        assertThat(back).isEqualTo(record);
        assertThat(back.getSchema()).isEqualTo(ALL_TYPES);
        assertThat(back.get("aString")).hasToString("héllo ✓");
        assertThat(((GenericData.EnumSymbol) back.get("anEnum")).toString()).isEqualTo("GREEN");
        assertThat(((GenericData.Fixed) back.get("aFixed")).bytes()).isEqualTo(md5Bytes());
        assertThat(((Map<?, ?>) back.get("aMap")).get(new Utf8("ünïcode"))).isEqualTo(-2L);
        assertThat(((GenericRecord) back.get("choice")).get("street")).hasToString("C");
        assertThat(back.get("optional")).isNull();
        assertThat(back.get("day")).isEqualTo((int) LocalDate.of(2026, 7, 1).toEpochDay());
    }

    @Test
    void logicalTypesAreJavaTypesWithTheConverters() {
        Schema amount = ALL_TYPES.getField("amount").schema();
        assertThat(amount.getLogicalType()).isEqualTo(LogicalTypes.decimal(12, 2));
        GenericRecord record = new GenericRecordBuilder(allTypesRaw()) // the serializer takes Java types too
                .set("amount", new BigDecimal("-98765.43"))
                .set("day", LocalDate.of(2000, 2, 29))
                .set("at", Instant.parse("2026-03-04T05:06:07.008Z"))
                .set("uuid", UUID.fromString("0b7e8f4e-3c1d-4f3a-9a53-0e7f6d1b2c3d"))
                .build();

        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, record);
        GenericRecord converted = this.<GenericRecord>deserializer(Map.of(
                ConfluentAvroSerdeConfig.AVRO_USE_LOGICAL_TYPE_CONVERTERS, "true")).deserialize(TOPIC, bytes);
        GenericRecord raw = new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, bytes);

        assertThat(converted.get("amount")).isEqualTo(new BigDecimal("-98765.43"));
        assertThat(converted.get("day")).isEqualTo(LocalDate.of(2000, 2, 29));
        assertThat(converted.get("at")).isEqualTo(Instant.parse("2026-03-04T05:06:07.008Z"));
        assertThat(converted.get("uuid")).isEqualTo(UUID.fromString("0b7e8f4e-3c1d-4f3a-9a53-0e7f6d1b2c3d"));
        assertThat(raw.get("day")).isEqualTo((int) LocalDate.of(2000, 2, 29).toEpochDay());
        assertThat(raw.get("at")).isEqualTo(Instant.parse("2026-03-04T05:06:07.008Z").toEpochMilli());
        assertThat(raw.get("uuid")).hasToString("0b7e8f4e-3c1d-4f3a-9a53-0e7f6d1b2c3d");
        assertThat(new Conversions.DecimalConversion().fromBytes((ByteBuffer) raw.get("amount"), amount,
                amount.getLogicalType())).isEqualTo(new BigDecimal("-98765.43"));
    }

    @Test
    void specificRecordOfEveryTypeRoundTrips() {
        AllTypes record = allTypesSpecific();

        byte[] bytes = new ConfluentAvroSerializer<AllTypes>(registry).serialize(TOPIC, record);
        AllTypes back = new ConfluentAvroDeserializer<>(registry, AllTypes.class).deserialize(TOPIC, bytes);

        assertThat(back).isEqualTo(record);
        assertThat(back.getDay()).isEqualTo(LocalDate.of(1969, 12, 31));
        assertThat(back.getUuid()).isEqualTo(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        assertThat(back.getChoice()).isEqualTo(17);
        assertThat(back.getAnEnum()).isEqualTo(Color.BLUE);
        assertThat(back.getAmount()).isEqualTo(new BigDecimal("0.01"));
    }

    @Test
    void specificRecordReadsAsGenericAndGenericAsSpecific() {
        byte[] specificBytes = new ConfluentAvroSerializer<AllTypes>(registry).serialize(TOPIC, allTypesSpecific());
        GenericRecord generic = new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC,
                specificBytes);
        assertThat(generic.get("optional")).isEqualTo("present"); // avro.java.string in the registered schema

        GenericRecord raw = allTypesRaw();
        byte[] genericBytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize("generic", raw);
        AllTypes specific = new ConfluentAvroDeserializer<>(registry, AllTypes.class).deserialize("generic",
                genericBytes);
        assertThat(specific.getAString()).isEqualTo("héllo ✓");
        assertThat(specific.getNested().getStreet()).isEqualTo("Main Street 1");
        assertThat(specific.getChoice()).isEqualTo(Address.newBuilder().setStreet("C").setZip("2000").build());
        assertThat(specific.getAt()).isEqualTo(Instant.parse("2026-07-01T12:34:56.789Z"));
        assertThat(specific.getAMap()).containsEntry("ünïcode", -2L);
        assertThat(specific.getAmount()).isEqualTo(new BigDecimal("12345.67"));
    }

    @Test
    void specificReaderFillsDefaultsOfFieldsTheWriterDidNotHave() {
        GenericRecord v1 = new GenericRecordBuilder(PERSON_V1).set("name", "Ada").set("age", 36).build();
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, v1);

        Person person = new ConfluentAvroDeserializer<>(registry, Person.class).deserialize(TOPIC, bytes);

        assertThat(person).isEqualTo(new Person("Ada", 36, null, "NL"));
    }

    @Test
    void specificAvroReaderFindsTheClassByTheWriterSchemaName() {
        new ConfluentAvroDeserializer<>(registry, Person.class); // trusted, as naming the class makes it
        GenericRecord v1 = new GenericRecordBuilder(PERSON_V1).set("name", "Bo").set("age", 7).build();
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, v1);

        Object read = deserializer(Map.of(ConfluentAvroSerdeConfig.SPECIFIC_AVRO_READER, "true"))
                .deserialize(TOPIC, bytes);

        assertThat(read).isEqualTo(new Person("Bo", 7, null, "NL"));
    }

    @Test
    void specificTypeCanBeConfiguredByClassName() {
        byte[] bytes = new ConfluentAvroSerializer<Person>(registry).serialize(TOPIC, new Person("Cy", 1, "c@y",
                "BE"));

        Object read = deserializer(Map.of(ConfluentAvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, Person.class.getName()))
                .deserialize(TOPIC, bytes);

        assertThat(read).isEqualTo(new Person("Cy", 1, "c@y", "BE"));
    }

    @Test
    void specificAvroReaderWithoutGeneratedClassSaysSo() {
        Schema unknown = new Schema.Parser().parse("""
                {"type": "record", "name": "Nowhere", "namespace": "com.example.absent",
                 "fields": [{"name": "x", "type": "int"}]}""");
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC,
                new GenericRecordBuilder(unknown).set("x", 1).build());

        assertThatThrownBy(() -> deserializer(Map.of(ConfluentAvroSerdeConfig.SPECIFIC_AVRO_READER, true))
                .deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("no generated class com.example.absent.Nowhere");
    }

    @Test
    void specificAvroReaderExplainsAvrosClassTrust() {
        byte[] bytes = new ConfluentAvroSerializer<Sensor>(registry).serialize(TOPIC, new Sensor("s1"));

        assertThatThrownBy(() -> deserializer(Map.of(ConfluentAvroSerdeConfig.SPECIFIC_AVRO_READER, true))
                .deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Avro does not trust io.tributary.schemas.registry.testing.Sensor")
                .hasMessageContaining("specific.avro.value.type");
    }

    @Test
    void genericReaderWithLatestVersionFillsDefaults() {
        GenericRecord v1 = new GenericRecordBuilder(PERSON_V1).set("name", "Di").set("age", 50).build();
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, v1);
        registry.register(TOPIC + "-value", AvroDatums.withoutJavaProperties(Person.getClassSchema()));

        GenericRecord read = this.<GenericRecord>deserializer(Map.of(ConfluentAvroSerdeConfig.USE_LATEST_VERSION,
                true)).deserialize(TOPIC, bytes);

        assertThat(read.getSchema().getFields()).hasSize(4);
        assertThat(read.get("name")).hasToString("Di");
        assertThat(read.get("email")).isNull();
        assertThat(read.get("country")).hasToString("NL");
    }

    @Test
    void primitivesRoundTrip() {
        ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>(registry);
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(registry);
        List<Object> values = List.of("a key", 42, 7L, true, 2.5f, 1e300);
        for (Object value : values) {
            String topic = "t-" + value.getClass().getSimpleName();
            assertThat(deserializer.deserialize(topic, serializer.serialize(topic, value))).isEqualTo(value);
        }
        byte[] bytes = serializer.serialize("bytes", new byte[] {9, 8, 7});
        assertThat(deserializer.deserialize("bytes", bytes)).isEqualTo(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        assertThat(registry.latest("t-String-value").schema()).isEqualTo(Schema.create(Schema.Type.STRING));
    }

    @Test
    void stringKeyIsRegisteredUnderTheKeySubject() {
        ConfluentAvroSerializer<String> keys = new ConfluentAvroSerializer<>(registry, Map.of(), true);

        byte[] bytes = keys.serialize(TOPIC, "device-1");

        assertThat(registry.subjects()).containsExactly(TOPIC + "-key");
        assertThat(new ConfluentAvroDeserializer<String>(registry, Map.of(), true).deserialize(TOPIC, bytes))
                .isEqualTo("device-1");
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).containsExactly(16,
                'd', 'e', 'v', 'i', 'c', 'e', '-', '1');
    }

    @Test
    void topLevelEnumFixedArrayAndUnionRoundTrip() {
        ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>(registry);
        ConfluentAvroDeserializer<Object> generic = new ConfluentAvroDeserializer<>(registry);

        Object color = generic.deserialize("enum", serializer.serialize("enum", Color.RED));
        assertThat(color).isInstanceOf(GenericData.EnumSymbol.class).hasToString("RED");
        Object fixed = generic.deserialize("fixed", serializer.serialize("fixed", new Md5(md5Bytes())));
        assertThat(((GenericData.Fixed) fixed).bytes()).isEqualTo(md5Bytes());

        Schema arraySchema = Schema.createArray(Schema.create(Schema.Type.LONG));
        GenericData.Array<Long> array = new GenericData.Array<>(arraySchema, List.of(1L, 2L));
        assertThat(generic.deserialize("array", serializer.serialize("array", array))).isEqualTo(array);
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertThat(new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, null)).isNull();
        assertThat(new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, null)).isNull();
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void wrongMagicByteIsASerializationException() {
        byte[] singleObject = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2};

        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize(TOPIC, singleObject))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown magic byte 0xC3")
                .hasMessageContaining("topic orders");
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize(TOPIC, new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("2 bytes");
    }

    @Test
    void unknownSchemaIdIsASerializationException() {
        byte[] bytes = {0, 0, 0, 0x30, 0x39, 2, 'x'};

        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema id 12345 in a record of topic orders")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void truncatedDatumIsASerializationException() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC, allTypesRaw());

        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry).deserialize(TOPIC,
                Arrays.copyOf(bytes, 12)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 1");
    }

    @Test
    void unsupportedTypeIsASerializationException() {
        assertThatThrownBy(() -> new ConfluentAvroSerializer<>(registry).serialize(TOPIC, new Object()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot serialize a java.lang.Object as Avro");
    }

    @Test
    void withoutAutoRegisterTheSchemaMustBeRegistered() {
        ConfluentAvroSerializer<GenericRecord> serializer = serializer(Map.of(
                ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"));
        GenericRecord v1 = new GenericRecordBuilder(PERSON_V1).set("name", "Ed").set("age", 3).build();

        assertThatThrownBy(() -> serializer.serialize(TOPIC, v1))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not registered under subject 'orders-value'")
                .hasMessageContaining("auto.register.schemas=false");
        int id = registry.register(TOPIC + "-value", PERSON_V1);

        assertThat(ConfluentWireFormat.schemaId(serializer.serialize(TOPIC, v1))).isEqualTo(id);
        assertThat(registry.versions(TOPIC + "-value")).containsExactly(1);
    }

    @Test
    void useLatestVersionWritesWithTheLatestSchema() {
        Schema v2 = AvroDatums.withoutJavaProperties(Person.getClassSchema());
        registry.register(TOPIC + "-value", PERSON_V1);
        int latestId = registry.register(TOPIC + "-value", v2);
        ConfluentAvroSerializer<GenericRecord> serializer = serializer(Map.of(
                ConfluentAvroSerdeConfig.USE_LATEST_VERSION, "true", ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
                "false"));

        byte[] bytes = serializer.serialize(TOPIC, new GenericRecordBuilder(PERSON_V1).set("name", "Flo")
                .set("age", 9).build());

        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(latestId);
        GenericRecord read = new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, bytes);
        assertThat(read.getSchema()).isEqualTo(v2);
        assertThat(read.get("name")).hasToString("Flo");
        assertThat(read.get("country")).hasToString("NL");
        // a generated class whose schema only differs by avro.java.string is written as it is
        byte[] same = new ConfluentAvroSerializer<Person>(registry, Map.of(ConfluentAvroSerdeConfig.USE_LATEST_VERSION,
                true), false).serialize(TOPIC, new Person("Gil", 2, null, "FR"));
        assertThat(ConfluentWireFormat.schemaId(same)).isEqualTo(latestId);
        assertThat(new ConfluentAvroDeserializer<>(registry, Person.class).deserialize(TOPIC, same))
                .isEqualTo(new Person("Gil", 2, null, "FR"));
    }

    @Test
    void useLatestVersionRefusesARecordTheLatestCannotRead() {
        Schema other = new Schema.Parser().parse("""
                {"type": "record", "name": "Person", "namespace": "io.tributary.schemas.registry.testing",
                 "fields": [{"name": "name", "type": "string"}, {"name": "shoeSize", "type": "int"}]}""");
        registry.register(TOPIC + "-value", other);
        ConfluentAvroSerializer<GenericRecord> serializer = serializer(Map.of(
                ConfluentAvroSerdeConfig.USE_LATEST_VERSION, "true"));

        assertThatThrownBy(() -> serializer.serialize(TOPIC, new GenericRecordBuilder(PERSON_V1).set("name", "H")
                .set("age", 1).build()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot be written with the latest schema of subject 'orders-value'");
    }

    @Test
    void incompatibleSchemaIsRefusedWithTheRegistrysReason() {
        registry.register(TOPIC + "-value", AvroDatums.withoutJavaProperties(Person.getClassSchema()));
        Schema breaking = new Schema.Parser().parse("""
                {"type": "record", "name": "Person", "namespace": "io.tributary.schemas.registry.testing",
                 "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"},
                            {"name": "email", "type": ["null", "string"], "default": null},
                            {"name": "country", "type": "string", "default": "NL"},
                            {"name": "required", "type": "long"}]}""");

        assertThatThrownBy(() -> new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC,
                new GenericRecordBuilder(breaking).set("name", "I").set("age", 1).set("required", 1L).build()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("subject 'orders-value'")
                .hasMessageContaining("incompatible")
                .cause().isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(409));
    }

    @Test
    void removeJavaPropertiesRegistersTheSchemaAsInTheAvscFile() {
        ConfluentAvroSerializer<Person> serializer = serializer(Map.of(
                ConfluentAvroSerdeConfig.AVRO_REMOVE_JAVA_PROPERTIES, "true"));

        serializer.serialize(TOPIC, new Person("J", 1, null, "NL"));

        Schema registered = registry.latest(TOPIC + "-value").schema();
        assertThat(registered.toString()).doesNotContain("avro.java.string");
        assertThat(Person.getClassSchema().toString()).contains("avro.java.string");
    }

    @Test
    void recordNameStrategiesNameTheSubjectAfterTheRecord() {
        GenericRecord v1 = new GenericRecordBuilder(PERSON_V1).set("name", "K").set("age", 1).build();
        serializer(Map.of(ConfluentAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
                "io.confluent.kafka.serializers.subject.RecordNameStrategy")).serialize(TOPIC, v1);
        serializer(Map.of(ConfluentAvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, TopicRecordNameStrategy.class))
                .serialize(TOPIC, v1);
        new ConfluentAvroSerializer<GenericRecord>(registry, Map.of(ConfluentAvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
                "TopicRecordNameStrategy"), true).serialize(TOPIC, v1);

        assertThat(registry.subjects()).containsExactlyInAnyOrder(
                "io.tributary.schemas.registry.testing.Person",
                "orders-io.tributary.schemas.registry.testing.Person");
        // the same schema text has one id in every subject
        assertThat(registry.latest("io.tributary.schemas.registry.testing.Person").id())
                .isEqualTo(registry.latest("orders-io.tributary.schemas.registry.testing.Person").id());
    }

    @Test
    void serdeSharesItsClientAndReadsIntoTheClass() {
        CountingClient counting = new CountingClient(new CachingSchemaRegistryClient(registry));
        try (ConfluentAvroSerde<Person> serde = new ConfluentAvroSerde<>(counting, Person.class)) {
            serde.configure(Map.of(), false);
            Person person = new Person("L", 4, "l@x", "DE");
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, person)))
                    .isEqualTo(person);
        }
        assertThat(counting.calls("close")).isZero(); // not the serde's to close
    }

    @Test
    void serdesAskTheCachedRegistryOnce() {
        CountingClient counting = new CountingClient(registry);
        SchemaRegistryClient cached = new CachingSchemaRegistryClient(counting);
        ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(cached);
        ConfluentAvroDeserializer<GenericRecord> deserializer = new ConfluentAvroDeserializer<>(cached);

        for (int i = 0; i < 100; i++) {
            GenericRecord record = new GenericRecordBuilder(PERSON_V1).set("name", "n" + i).set("age", i).build();
            assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, record))).isEqualTo(record);
        }

        assertThat(counting.calls("register")).isEqualTo(1);
        assertThat(counting.calls("schemaById")).isZero(); // register told the cache the id's schema
        new ConfluentAvroDeserializer<GenericRecord>(new CachingSchemaRegistryClient(counting)).deserialize(TOPIC,
                serializer.serialize(TOPIC, new GenericRecordBuilder(PERSON_V1).set("name", "x").set("age", 0)
                        .build()));
        assertThat(counting.calls("schemaById")).isEqualTo(1);
    }

    @Test
    void anUnconfiguredSerializerWithoutClientSaysWhatIsMissing() {
        assertThatThrownBy(() -> new ConfluentAvroSerializer<String>().serialize(TOPIC, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<String>().configure(Map.of(), false))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("schema.registry.url is required");
    }

    @Test
    void configureCreatesAnHttpClientFromTheUrl() {
        ConfluentAvroSerde<GenericRecord> serde = new ConfluentAvroSerde<>();
        serde.configure(Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1/apis/ccompat/v7",
                ConfluentAvroSerdeConfig.MAX_RETRIES, "0"), false);
        // nothing listens on port 1: the failure names the registry
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, new GenericRecordBuilder(PERSON_V1)
                .set("name", "M").set("age", 1).build()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot reach schema registry at http://127.0.0.1:1/apis/ccompat/v7");
        serde.close();
    }

    @Test
    void stringsInGenericRecordsAreUtf8AsAvroReadsThem() {
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(registry).serialize(TOPIC,
                new GenericRecordBuilder(PERSON_V1).set("name", new Utf8("Nia".getBytes(StandardCharsets.UTF_8)))
                        .set("age", 1).build());
        GenericRecord read = new ConfluentAvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, bytes);
        assertThat(read.get("name")).isInstanceOf(Utf8.class).hasToString("Nia");
    }
}
