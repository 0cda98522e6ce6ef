package io.tributary.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The packaged Apicurio Registry speaks the Confluent Schema Registry API, driven here with plain HTTP. */
class ApicurioRegistryIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String SENSOR_V1 = """
            {"type": "record", "name": "Reading", "namespace": "io.tributary.test", "fields": [
              {"name": "sensor", "type": "string"},
              {"name": "value", "type": "double"}
            ]}""";
    // a new field with a default: readers of v2 still read v1 data
    private static final String SENSOR_V2_BACKWARD = """
            {"type": "record", "name": "Reading", "namespace": "io.tributary.test", "fields": [
              {"name": "sensor", "type": "string"},
              {"name": "value", "type": "double"},
              {"name": "unit", "type": "string", "default": "C"}
            ]}""";
    // a new field without a default: v1 data cannot be read with it
    private static final String SENSOR_V3_INCOMPATIBLE = """
            {"type": "record", "name": "Reading", "namespace": "io.tributary.test", "fields": [
              {"name": "sensor", "type": "string"},
              {"name": "value", "type": "double"},
              {"name": "unit", "type": "string", "default": "C"},
              {"name": "room", "type": "string"}
            ]}""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ApicurioRegistry registry;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        registry = new ApicurioRegistry();
        baseUrl = registry.start();
        System.out.printf("Apicurio Registry answered after %d ms at %s (pid %d)%n",
                registry.startupTime().toMillis(), baseUrl, registry.process().pid());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void registersAnAvroSchemaAndReturnsItById() throws Exception {
        HttpResponse<String> registered = post("/subjects/x-value/versions", schemaBody(SENSOR_V1));
        assertEquals(200, registered.statusCode(), registered.body());
        int id = JSON.readTree(registered.body()).get("id").asInt();

        HttpResponse<String> byId = get("/schemas/ids/" + id);
        assertEquals(200, byId.statusCode(), byId.body());
        Schema returned = new Schema.Parser().parse(JSON.readTree(byId.body()).get("schema").asText());
        assertEquals(new Schema.Parser().parse(SENSOR_V1), returned);

        // the same schema again is the same id, not a new version
        HttpResponse<String> again = post("/subjects/x-value/versions", schemaBody(SENSOR_V1));
        assertEquals(id, JSON.readTree(again.body()).get("id").asInt());
        HttpResponse<String> subjects = get("/subjects");
        assertTrue(JSON.readTree(subjects.body()).toString().contains("\"x-value\""), subjects.body());
    }

    @Test
    void backwardCompatibilityRefusesAnIncompatibleSchemaWith409() throws Exception {
        String subject = "/subjects/compat-value";
        assertEquals(200, post(subject + "/versions", schemaBody(SENSOR_V1)).statusCode());

        HttpResponse<String> config = put("/config", "{\"compatibility\": \"BACKWARD\"}");
        assertEquals(200, config.statusCode(), config.body());
        assertEquals("BACKWARD", JSON.readTree(get("/config").body()).get("compatibilityLevel").asText());

        HttpResponse<String> check = post("/compatibility" + subject + "/versions/latest",
                schemaBody(SENSOR_V3_INCOMPATIBLE));
        assertEquals(200, check.statusCode(), check.body());
        assertFalse(JSON.readTree(check.body()).get("is_compatible").asBoolean(), check.body());

        HttpResponse<String> compatible = post(subject + "/versions", schemaBody(SENSOR_V2_BACKWARD));
        assertEquals(200, compatible.statusCode(), compatible.body());

        HttpResponse<String> refused = post(subject + "/versions", schemaBody(SENSOR_V3_INCOMPATIBLE));
        assertEquals(409, refused.statusCode(), refused.body());
        JsonNode versions = JSON.readTree(get(subject + "/versions").body());
        assertEquals(2, versions.size(), versions.toString());
    }

    private static String schemaBody(String avroSchema) throws IOException {
        return JSON.writeValueAsString(Map.of("schema", avroSchema));
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
