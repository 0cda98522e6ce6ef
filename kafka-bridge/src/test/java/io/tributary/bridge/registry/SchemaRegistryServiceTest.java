package io.tributary.bridge.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The REST subset, routing and JSON, on an in-memory log: no sockets, no Kafka. */
class SchemaRegistryServiceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String V1 = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"t\","
            + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    /** v1 plus a field with a default: backward and forward compatible. */
    static final String V2 = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"t\","
            + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}";
    /** v1 plus a field without a default: cannot read v1 data. */
    static final String NOT_BACKWARD = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"t\","
            + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"c\",\"type\":\"long\"}]}";

    private final InMemoryRegistryLog log = new InMemoryRegistryLog();
    private final SchemaRegistryService service = new SchemaRegistryService(log);

    private record Reply(int status, JsonNode body, RegistryResponse response) {
        int errorCode() {
            return body.path("error_code").asInt();
        }

        String message() {
            return body.path("message").asText();
        }
    }

    private Reply call(RegistryRequest request) {
        RegistryResponse response = service.handle(request).toCompletableFuture().join();
        try {
            return new Reply(response.status(), JSON.readTree(response.body()), response);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private Reply get(String path) {
        return call(RegistryRequest.get(path));
    }

    private Reply post(String path, String json) {
        return call(RegistryRequest.post(path, json));
    }

    private Reply put(String path, String json) {
        return call(RegistryRequest.put(path, json));
    }

    private Reply delete(String path) {
        return call(RegistryRequest.delete(path));
    }

    static String schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    private Reply register(String subject, String schema) {
        return post("/subjects/" + subject + "/versions", schemaBody(schema));
    }

    private static String canonical(String schema) {
        return new org.apache.avro.Schema.Parser().parse(schema).toString();
    }

    @Test
    void registersAndListsSubjectsAndVersions() {
        Reply first = register("readings-value", V1);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().toString()).isEqualTo("{\"id\":1}");
        assertThat(first.response().headers()).isEmpty();

        assertThat(register("readings-value", V2).body().get("id").asInt()).isEqualTo(2);
        assertThat(register("other-value", "\"string\"").body().get("id").asInt()).isEqualTo(3);

        assertThat(get("/subjects").body().toString()).isEqualTo("[\"other-value\",\"readings-value\"]");
        assertThat(get("/subjects/readings-value/versions").body().toString()).isEqualTo("[1,2]");

        Reply latest = get("/subjects/readings-value/versions/latest");
        assertThat(latest.body().toString()).isEqualTo(JSON.createObjectNode().put("subject", "readings-value")
                .put("version", 2).put("id", 2).put("schema", canonical(V2)).toString());
        assertThat(get("/subjects/readings-value/versions/-1").body()).isEqualTo(latest.body());
        assertThat(get("/subjects/readings-value/versions/1").body().get("id").asInt()).isEqualTo(1);
        assertThat(get("/subjects/readings-value/versions/1/schema").response().body()).isEqualTo(canonical(V1));
    }

    @Test
    void reRegisteringASchemaReturnsItsIdWithoutANewVersion() {
        register("s", V1);
        register("s", V2);
        // the same schema, written differently: the same canonical text
        String spaced = V1.replace(",", " , ").replace(":", " : ");
        assertThat(register("s", spaced).body().get("id").asInt()).isEqualTo(1);
        assertThat(get("/subjects/s/versions").body().toString()).isEqualTo("[1,2]");
        assertThat(log.written()).hasSize(4); // two versions, two id watermarks
    }

    @Test
    void theSameSchemaHasTheSameIdInEverySubject() {
        register("a-value", V1);
        Reply inB = register("b-value", V1);
        assertThat(inB.body().get("id").asInt()).isEqualTo(1);
        assertThat(get("/subjects/b-value/versions/1").body().get("id").asInt()).isEqualTo(1);
        assertThat(get("/schemas/ids/1/versions").body().toString())
                .isEqualTo("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]");
    }

    @Test
    void anIncompatibleSchemaIsRefusedUnderBackward() {
        register("s", V1);
        Reply refused = register("s", NOT_BACKWARD);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo(409);
        assertThat(refused.message()).contains("incompatible with an earlier schema for subject \"s\"")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("{oldSchemaVersion: 1}")
                .contains("{compatibility: 'BACKWARD'}");
        assertThat(get("/subjects/s/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void transitiveLevelsCheckEveryLiveVersion() {
        String withoutDefault = V2.replace(",\"default\":\"x\"", "");
        put("/config/s", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        register("s", V1);
        register("s", V2);
        assertThat(register("s", withoutDefault).status()).as("v1 data has no b").isEqualTo(409);

        put("/config/t", "{\"compatibility\":\"BACKWARD\"}");
        register("t", V1);
        register("t", V2);
        assertThat(register("t", withoutDefault).status()).as("checked against v2 only").isEqualTo(200);
    }

    @Test
    void looksUpASchemaUnderASubject() {
        register("s", V1);
        register("s", V2);
        Reply found = post("/subjects/s", schemaBody(V1));
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body().toString()).isEqualTo(JSON.createObjectNode().put("subject", "s")
                .put("version", 1).put("id", 1).put("schema", canonical(V1)).toString());

        Reply unknownSchema = post("/subjects/s", schemaBody("\"string\""));
        assertThat(unknownSchema.status()).isEqualTo(404);
        assertThat(unknownSchema.errorCode()).isEqualTo(40403);
        Reply unknownSubject = post("/subjects/nope", schemaBody(V1));
        assertThat(unknownSubject.status()).isEqualTo(404);
        assertThat(unknownSubject.errorCode()).isEqualTo(40401);
    }

    @Test
    void readsSchemasById() {
        register("s", V1);
        assertThat(get("/schemas/ids/1").body().toString())
                .isEqualTo(JSON.createObjectNode().put("schema", canonical(V1)).toString());
        assertThat(get("/schemas/ids/1/schema").response().body()).isEqualTo(canonical(V1));
        assertThat(get("/schemas/ids/1/versions").body().toString()).isEqualTo("[{\"subject\":\"s\",\"version\":1}]");
        for (String missing : List.of("/schemas/ids/2", "/schemas/ids/2/schema", "/schemas/ids/2/versions",
                "/schemas/ids/abc")) {
            Reply reply = get(missing);
            assertThat(reply.status()).as(missing).isEqualTo(404);
            assertThat(reply.errorCode()).as(missing).isEqualTo(40403);
        }
        assertThat(get("/schemas/types").body().toString()).isEqualTo("[\"AVRO\"]");
    }

    @Test
    void versionErrorsAreConfluents() {
        register("s", V1);
        assertThat(get("/subjects/nope/versions").errorCode()).isEqualTo(40401);
        assertThat(get("/subjects/nope/versions/1").errorCode()).isEqualTo(40401);
        assertThat(get("/subjects/nope/versions/latest").errorCode()).isEqualTo(40401);
        Reply missing = get("/subjects/s/versions/2");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo(40402);
        for (String invalid : List.of("0", "-2", "abc", "99999999999")) {
            Reply reply = get("/subjects/s/versions/" + invalid);
            assertThat(reply.status()).as(invalid).isEqualTo(422);
            assertThat(reply.errorCode()).as(invalid).isEqualTo(42202);
        }
    }

    @Test
    void checksCompatibilityWithoutRegistering() {
        register("s", V1);
        Reply compatible = post("/compatibility/subjects/s/versions/latest", schemaBody(V2));
        assertThat(compatible.body().toString()).isEqualTo("{\"is_compatible\":true}");
        Reply incompatible = post("/compatibility/subjects/s/versions/latest", schemaBody(NOT_BACKWARD));
        assertThat(incompatible.status()).isEqualTo(200);
        assertThat(incompatible.body().toString()).isEqualTo("{\"is_compatible\":false}");

        Reply verbose = post("/compatibility/subjects/s/versions/1?verbose=true", schemaBody(NOT_BACKWARD));
        assertThat(verbose.body().get("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.body().get("messages").toString()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        Reply verboseOk = post("/compatibility/subjects/s/versions/1?verbose=true", schemaBody(V2));
        assertThat(verboseOk.body().toString()).isEqualTo("{\"is_compatible\":true,\"messages\":[]}");

        assertThat(post("/compatibility/subjects/s/versions", schemaBody(V2)).body().get("is_compatible").asBoolean())
                .isTrue();
        assertThat(post("/compatibility/subjects/new/versions/latest", schemaBody(NOT_BACKWARD)).body().toString())
                .as("nothing to be compatible with").isEqualTo("{\"is_compatible\":true}");
        assertThat(post("/compatibility/subjects/s/versions/7", schemaBody(V2)).errorCode()).isEqualTo(40402);
        assertThat(post("/compatibility/subjects/new/versions/1", schemaBody(V2)).errorCode()).isEqualTo(40401);
        assertThat(get("/subjects/s/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void compatibilityLevelsAreConfiguredGloballyAndPerSubject() {
        assertThat(get("/config").body().toString()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        Reply notSet = get("/config/s");
        assertThat(notSet.status()).isEqualTo(404);
        assertThat(notSet.errorCode()).isEqualTo(40408);
        assertThat(get("/config/s?defaultToGlobal=true").body().toString())
                .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

        assertThat(put("/config", "{\"compatibility\":\"full\"}").body().toString())
                .isEqualTo("{\"compatibility\":\"FULL\"}");
        assertThat(get("/config").body().toString()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(put("/config/s", "{\"compatibility\":\"NONE\"}").body().toString())
                .isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(get("/config/s").body().toString()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");

        register("s", V1);
        assertThat(register("s", NOT_BACKWARD).status()).as("NONE for s").isEqualTo(200);
        register("t", V1);
        assertThat(register("t", NOT_BACKWARD).status()).as("FULL for the others").isEqualTo(409);

        assertThat(delete("/config/s").body().toString()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
        assertThat(get("/config/s").errorCode()).isEqualTo(40408);
        assertThat(delete("/config/s").errorCode()).isEqualTo(40401);

        Reply invalid = put("/config", "{\"compatibility\":\"SIDEWAYS\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.errorCode()).isEqualTo(42203);
        assertThat(put("/config/s", "{}").errorCode()).isEqualTo(42203);
    }

    @Test
    void softAndPermanentSubjectDeletes() {
        register("s", V1);
        register("s", V2);
        register("keep", V1);

        Reply permanentFirst = delete("/subjects/s?permanent=true");
        assertThat(permanentFirst.status()).isEqualTo(404);
        assertThat(permanentFirst.errorCode()).isEqualTo(40405);

        assertThat(delete("/subjects/s").body().toString()).isEqualTo("[1,2]");
        assertThat(get("/subjects").body().toString()).isEqualTo("[\"keep\"]");
        assertThat(get("/subjects?deleted=true").body().toString()).isEqualTo("[\"keep\",\"s\"]");
        assertThat(get("/subjects/s/versions").errorCode()).isEqualTo(40401);
        assertThat(get("/subjects/s/versions?deleted=true").body().toString()).isEqualTo("[1,2]");
        assertThat(get("/subjects/s/versions/2?deleted=true").body().get("id").asInt()).isEqualTo(2);
        assertThat(get("/schemas/ids/2").status()).as("ids of soft-deleted versions still resolve").isEqualTo(200);
        assertThat(delete("/subjects/s").errorCode()).isEqualTo(40404);

        assertThat(delete("/subjects/s?permanent=true").body().toString()).isEqualTo("[1,2]");
        assertThat(get("/subjects?deleted=true").body().toString()).isEqualTo("[\"keep\"]");
        assertThat(get("/schemas/ids/2").errorCode()).as("no version has id 2").isEqualTo(40403);
        assertThat(get("/schemas/ids/1").status()).as("keep still has id 1").isEqualTo(200);
        assertThat(delete("/subjects/s").errorCode()).isEqualTo(40401);

        // ids are never handed out twice: 2 is gone but was used
        assertThat(register("fresh", "\"string\"").body().get("id").asInt()).isEqualTo(3);
        assertThat(register("s", V1).body().get("id").asInt()).isEqualTo(1);
        assertThat(get("/subjects/s/versions").body().toString()).as("versions start again").isEqualTo("[1]");
    }

    @Test
    void softAndPermanentVersionDeletes() {
        register("s", V1);
        register("s", V2);
        assertThat(delete("/subjects/s/versions/2?permanent=true").errorCode()).isEqualTo(40407);
        assertThat(delete("/subjects/s/versions/latest").body().toString()).isEqualTo("2");
        assertThat(get("/subjects/s/versions").body().toString()).isEqualTo("[1]");
        assertThat(get("/subjects/s/versions/2").errorCode()).isEqualTo(40402);
        assertThat(delete("/subjects/s/versions/2").errorCode()).isEqualTo(40406);
        assertThat(delete("/subjects/s/versions/3").errorCode()).isEqualTo(40402);

        // the deleted version no longer constrains, and registering it again makes a new version with its id
        assertThat(register("s", V2).body().get("id").asInt()).isEqualTo(2);
        assertThat(get("/subjects/s/versions").body().toString()).isEqualTo("[1,3]");

        assertThat(delete("/subjects/s/versions/2?permanent=true").body().toString()).isEqualTo("2");
        assertThat(get("/subjects/s/versions?deleted=true").body().toString()).isEqualTo("[1,3]");
        assertThat(delete("/subjects/nope/versions/1").errorCode()).isEqualTo(40401);
    }

    @Test
    void onlyValidAvroSchemasAreAccepted() {
        Reply protobuf = post("/subjects/s/versions",
                JSON.createObjectNode().put("schema", "syntax = \"proto3\";").put("schemaType", "PROTOBUF").toString());
        assertThat(protobuf.status()).isEqualTo(422);
        assertThat(protobuf.errorCode()).isEqualTo(42201);
        assertThat(protobuf.message()).contains("PROTOBUF").contains("Avro");

        Reply explicitAvro = post("/subjects/s/versions",
                JSON.createObjectNode().put("schema", V1).put("schemaType", "AVRO").toString());
        assertThat(explicitAvro.status()).isEqualTo(200);

        Reply invalid = register("s", "{\"type\":\"record\",\"name\":\"R\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.errorCode()).isEqualTo(42201);
        assertThat(invalid.message()).startsWith("Invalid schema");
        assertThat(post("/subjects/s/versions", "{}").errorCode()).isEqualTo(42201);

        ObjectNode withReferences = JSON.createObjectNode().put("schema", V1);
        withReferences.putArray("references").addObject().put("name", "x").put("subject", "y").put("version", 1);
        assertThat(post("/subjects/s/versions", withReferences.toString()).errorCode()).isEqualTo(42201);
    }

    @Test
    void unknownPathsWrongMethodsAndBadBodies() {
        Reply unknown = get("/nothing/here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo(404);
        assertThat(get("/subjects/s/versions/1/schema/more").status()).isEqualTo(404);

        Reply wrongMethod = put("/subjects/s/versions", schemaBody(V1));
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.errorCode()).isEqualTo(405);
        assertThat(wrongMethod.response().headers()).containsEntry("Allow", "GET, POST");
        assertThat(call(RegistryRequest.of("PATCH", "/config", "{}")).status()).isEqualTo(405);

        Reply malformed = post("/subjects/s/versions", "{\"schema\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorCode()).isEqualTo(400);

        Reply text = call(new RegistryRequest("POST", "/subjects/s/versions", null, "text/plain",
                schemaBody(V1).getBytes(StandardCharsets.UTF_8)));
        assertThat(text.status()).isEqualTo(415);
        for (String type : List.of("application/json", "application/json; charset=utf-8",
                "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json")) {
            Reply accepted = call(new RegistryRequest("POST", "/subjects/s/versions", null, type,
                    schemaBody(V1).getBytes(StandardCharsets.UTF_8)));
            assertThat(accepted.status()).as(type).isEqualTo(200);
        }
        assertThat(get("/").body().toString()).isEqualTo("{}");
        assertThat(get("/subjects/").status()).as("a trailing slash").isEqualTo(200);
    }

    @Test
    void subjectNamesArePercentDecoded() {
        assertThat(register("a%2Fb%20c+d", V1).status()).isEqualTo(200);
        assertThat(get("/subjects").body().toString()).isEqualTo("[\"a/b c+d\"]");
        assertThat(get("/subjects/a%2Fb%20c+d/versions/1").body().get("subject").asText()).isEqualTo("a/b c+d");
    }

    @Test
    void writesFailingInTheLogAreAnsweredWith500() {
        RegistryLog failing = new RegistryLog() {
            @Override
            public RegistryState state() {
                return log.state();
            }

            @Override
            public <T> java.util.concurrent.CompletionStage<T> append(
                    java.util.function.Function<RegistryState, Plan<T>> planner) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        RegistryException.storeError("Kafka is away", null));
            }
        };
        RegistryResponse response = new SchemaRegistryService(failing)
                .handle(RegistryRequest.post("/subjects/s/versions", schemaBody(V1))).toCompletableFuture().join();
        assertThat(response.status()).isEqualTo(500);
        assertThat(response.body()).contains("\"error_code\":50001").contains("Kafka is away");
    }
}
