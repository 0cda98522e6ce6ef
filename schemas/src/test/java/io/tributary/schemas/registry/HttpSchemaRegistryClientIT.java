package io.tributary.schemas.registry;

import static io.tributary.schemas.registry.FakeRegistryServer.answer;
import static io.tributary.schemas.registry.FakeRegistryServer.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.schemas.registry.FakeRegistryServer.Request;
import io.tributary.schemas.registry.FakeRegistryServer.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP behaviour of {@link HttpSchemaRegistryClient} against a fake registry on 127.0.0.1: paths, bodies and
 * headers sent, answers read, errors mapped, retries, timeouts, caching, authentication, TLS.
 */
class HttpSchemaRegistryClientIT {

    static final String BASE = "/apis/ccompat/v7";
    static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "com.example",
             "fields": [{"name": "id", "type": "long"}, {"name": "note", "type": ["null", "string"],
             "default": null}]}""");

    FakeRegistryServer registry;
    MutableClock clock = new MutableClock();

    @BeforeEach
    void start() throws IOException {
        registry = FakeRegistryServer.start(BASE);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    HttpSchemaRegistryClient client() {
        return client(settings());
    }

    HttpSchemaRegistryClient client(RegistrySettings settings) {
        return new HttpSchemaRegistryClient(settings, clock);
    }

    RegistrySettings.Builder settings() {
        return RegistrySettings.builder().url(registry.url()).retries(2).retryBackoff(Duration.ofMillis(5))
                .requestTimeout(Duration.ofSeconds(5));
    }

    HttpSchemaRegistryClient client(RegistrySettings.Builder settings) {
        return client(settings.build());
    }

    static Map<String, Object> version(String subject, int id, int version, Schema schema) {
        return Map.of("subject", subject, "id", id, "version", version, "schema", schema.toString());
    }

    static JsonNode json(String body) throws IOException {
        return FakeRegistryServer.JSON.readTree(body);
    }

    static void assertRegistryError(ThrowingCallable call, int status, int errorCode, String... texts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.errorCode()).isEqualTo(errorCode);
            assertThat(e.getMessage()).contains(texts);
        });
    }

    @Test
    void registerPostsTheSchemaUnderTheBasePathWithTheRegistrysMediaType() throws IOException {
        registry.on("POST /subjects/orders-value/versions", 200, Map.of("id", 7));

        int id = client().register("orders-value", ORDER);

        assertThat(id).isEqualTo(7);
        Request request = registry.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/subjects/orders-value/versions");
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Authorization")).isNull();
        JsonNode body = json(request.body());
        assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(ORDER);
        assertThat(body.has("schemaType")).isFalse(); // AVRO is the default
    }

    @Test
    void registeredIdsAndSchemasByIdAreCached() {
        registry.on("POST /subjects/orders-value/versions", 200, Map.of("id", 7));
        registry.on("GET /schemas/ids/8", 200, Map.of("schema", ORDER.toString()));
        HttpSchemaRegistryClient client = client();

        client.register("orders-value", ORDER);
        client.register("orders-value", ORDER);
        assertThat(client.schemaById(7)).isEqualTo(ORDER);
        assertThat(client.schemaById(8)).isEqualTo(ORDER);
        assertThat(client.schemaById(8)).isEqualTo(ORDER);

        assertThat(registry.requestLines()).containsExactly(
                "POST /subjects/orders-value/versions",
                "GET /schemas/ids/8");
    }

    @Test
    void subjectsAreOnePathSegment() {
        registry.on("POST /subjects/a%2Fb%20c%C3%A9/versions", 200, Map.of("id", 1));

        assertThat(client().register("a/b cé", ORDER)).isEqualTo(1);
    }

    @Test
    void lookupReturnsIdAndVersionOrEmpty() {
        registry.on("POST /subjects/orders-value", 200, version("orders-value", 7, 3, ORDER));
        registry.on("POST /subjects/other-value", 404, Map.of("error_code", 40403, "message", "Schema not found"));
        registry.on("POST /subjects/nobody-value", 404, Map.of("error_code", 40401, "message", "Subject not found"));
        HttpSchemaRegistryClient client = client();

        assertThat(client.lookup("orders-value", ORDER)).contains(new RegisteredSchema("orders-value", 7, 3, ORDER));
        assertThat(client.lookup("other-value", ORDER)).isEmpty();
        assertThat(client.lookup("nobody-value", ORDER)).isEmpty();
        assertThat(registry.requests().get(0).header("Content-Type")).isEqualTo(HttpSchemaRegistryClient.CONTENT_TYPE);
    }

    @Test
    void latestAndGivenVersions() {
        Schema v1 = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Order\", \"namespace\": "
                + "\"com.example\", \"fields\": [{\"name\": \"id\", \"type\": \"long\"}]}");
        registry.on("GET /subjects/orders-value/versions/latest", 200, version("orders-value", 9, 2, ORDER));
        registry.on("GET /subjects/orders-value/versions/1", 200, version("orders-value", 8, 1, v1));
        HttpSchemaRegistryClient client = client();

        assertThat(client.latest("orders-value")).isEqualTo(new RegisteredSchema("orders-value", 9, 2, ORDER));
        assertThat(client.version("orders-value", 1)).isEqualTo(new RegisteredSchema("orders-value", 8, 1, v1));
        assertThat(client.schemaById(9)).isEqualTo(ORDER); // learnt from the answers
        assertThat(client.schemaById(8)).isEqualTo(v1);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void latestIsCachedForItsTimeToLive() {
        registry.on("GET /subjects/orders-value/versions/latest", 200, version("orders-value", 9, 2, ORDER));
        HttpSchemaRegistryClient client = client(settings().latestTtl(Duration.ofSeconds(10)));

        client.latest("orders-value");
        clock.advance(Duration.ofSeconds(9));
        client.latest("orders-value");
        assertThat(registry.requests()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        client.latest("orders-value");
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void listsSubjectsAndVersions() {
        registry.on("GET /subjects", 200, List.of("a-value", "b-key"));
        registry.on("GET /subjects/a-value/versions", 200, List.of(1, 2, 5));
        HttpSchemaRegistryClient client = client();

        assertThat(client.subjects()).containsExactly("a-value", "b-key");
        assertThat(client.versions("a-value")).containsExactly(1, 2, 5);
    }

    @Test
    void compatibilityChecks() throws IOException {
        registry.on("POST /compatibility/subjects/orders-value/versions/latest?verbose=true", 200,
                Map.of("is_compatible", false, "messages", List.of("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1")));
        registry.on("POST /compatibility/subjects/orders-value/versions/3?verbose=true", 200,
                Map.of("is_compatible", true));
        registry.on("POST /compatibility/subjects/new-value/versions/latest?verbose=true", 404,
                Map.of("error_code", 40401, "message", "Subject 'new-value' not found."));
        HttpSchemaRegistryClient client = client();

        assertThat(client.checkCompatibility("orders-value", ORDER)).isEqualTo(new CompatibilityResult(false,
                List.of("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1")));
        assertThat(client.checkCompatibility("orders-value", 3, ORDER)).isEqualTo(CompatibilityResult.ok());
        assertThat(client.checkCompatibility("new-value", ORDER).compatible()).isTrue();
        assertThat(new Schema.Parser().parse(json(registry.requests().get(1).body()).get("schema").asText()))
                .isEqualTo(ORDER);
    }

    @Test
    void globalAndSubjectCompatibilityLevels() throws IOException {
        registry.on("GET /config", 200, Map.of("compatibilityLevel", "FULL_TRANSITIVE"));
        registry.on("PUT /config", 200, Map.of("compatibility", "BACKWARD"));
        registry.on("GET /config/orders-value", 200, Map.of("compatibilityLevel", "FORWARD"));
        registry.on("GET /config/plain-value", 404, Map.of("error_code", 40408,
                "message", "Subject 'plain-value' does not have subject-level compatibility configured"));
        registry.on("PUT /config/orders-value", 200, Map.of("compatibility", "NONE"));
        HttpSchemaRegistryClient client = client();

        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(client.setGlobalCompatibility(CompatibilityLevel.BACKWARD)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.subjectCompatibility("orders-value")).contains(CompatibilityLevel.FORWARD);
        assertThat(client.subjectCompatibility("plain-value")).isEmpty();
        assertThat(client.setSubjectCompatibility("orders-value", CompatibilityLevel.NONE))
                .isEqualTo(CompatibilityLevel.NONE);

        List<Request> requests = registry.requests();
        assertThat(json(requests.get(1).body())).isEqualTo(json("{\"compatibility\": \"BACKWARD\"}"));
        assertThat(requests.get(1).header("Content-Type")).isEqualTo(HttpSchemaRegistryClient.CONTENT_TYPE);
        assertThat(json(requests.get(4).body())).isEqualTo(json("{\"compatibility\": \"NONE\"}"));
    }

    @Test
    void deleteSubjectSoftAndPermanent() {
        registry.on("DELETE /subjects/orders-value", 200, List.of(1, 2));
        registry.on("DELETE /subjects/orders-value?permanent=true", 200, List.of(1, 2));
        registry.on("POST /subjects/orders-value/versions", 200, Map.of("id", 7));
        HttpSchemaRegistryClient client = client();
        client.register("orders-value", ORDER);

        assertThat(client.deleteSubject("orders-value")).containsExactly(1, 2);
        assertThat(client.deleteSubject("orders-value", true)).containsExactly(1, 2);
        client.register("orders-value", ORDER); // forgotten by the cache: registered again

        assertThat(registry.requestLines()).containsExactly(
                "POST /subjects/orders-value/versions",
                "DELETE /subjects/orders-value",
                "DELETE /subjects/orders-value?permanent=true",
                "POST /subjects/orders-value/versions");
    }

    @Test
    void notFoundCarriesStatusErrorCodeAndMessage() {
        registry.on("GET /subjects/gone-value/versions/latest", 404,
                Map.of("error_code", 40401, "message", "Subject 'gone-value' not found."));

        assertThatThrownBy(() -> client().latest("gone-value"))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(40401);
                    assertThat(e.registryMessage()).isEqualTo("Subject 'gone-value' not found.");
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("schema registry at " + registry.url()
                            + " could not fetch the latest version of subject 'gone-value' (HTTP 404, error 40401): "
                            + "Subject 'gone-value' not found.");
                });
        assertThat(registry.requests()).hasSize(1); // a 4xx is not retried
    }

    @Test
    void incompatibleSchemaIsA409() {
        registry.on("POST /subjects/orders-value/versions", 409, Map.of("error_code", 409, "message",
                "Schema being registered is incompatible with an earlier schema for subject \"orders-value\""));

        assertThatThrownBy(() -> client().register("orders-value", ORDER))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.isIncompatible()).isTrue();
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                    assertThat(e.getMessage()).contains(
                            "refused to register a schema under subject 'orders-value'",
                            "incompatible with an earlier version (HTTP 409, error 409)",
                            "Schema being registered is incompatible");
                });
        assertThat(registry.requests()).hasSize(1);
    }

    @Test
    void invalidSchemaIsA422() {
        registry.on("POST /subjects/orders-value/versions", 422, Map.of("error_code", 42201, "message",
                "Invalid schema"));

        assertThatThrownBy(() -> client().register("orders-value", ORDER))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.isInvalid()).isTrue();
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
                    assertThat(e.getMessage()).contains("refused to register", "invalid (HTTP 422, error 42201)");
                });
    }

    @Test
    void serverErrorIsRetriedThenSucceeds() {
        registry.on("GET /schemas/ids/3", error(500, 50001, "Error in the backend data store"),
                answer(200, Map.of("schema", ORDER.toString())));

        assertThat(client().schemaById(3)).isEqualTo(ORDER);

        assertThat(registry.requestLines()).containsExactly("GET /schemas/ids/3", "GET /schemas/ids/3");
    }

    @Test
    void tooManyRequestsIsRetriedAfterRetryAfter() {
        registry.on("GET /schemas/ids/3", new Response(429, "{\"error_code\": 429, \"message\": \"slow down\"}",
                Duration.ZERO, Map.of("Retry-After", "0")), answer(200, Map.of("schema", ORDER.toString())));

        assertThat(client().schemaById(3)).isEqualTo(ORDER);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void persistentServerErrorGivesUpAfterTheRetries() {
        registry.on("GET /schemas/ids/3", 503, "<html>Service Unavailable</html>");

        assertRegistryError(() -> client().schemaById(3), 503, SchemaRegistryException.NO_ERROR_CODE,
                "could not fetch the schema with id 3 (HTTP 503): <html>Service Unavailable</html> (3 attempts)");
        assertThat(registry.requests()).hasSize(3);
    }

    @Test
    void slowRegistryTimesOut() {
        registry.on("GET /schemas/ids/3", new Response(200, FakeRegistryServer.json(Map.of("schema",
                ORDER.toString())), Duration.ofSeconds(5), Map.of()));
        HttpSchemaRegistryClient client = client(settings().retries(0).requestTimeout(Duration.ofMillis(200)));

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.schemaById(3))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.isUnreachable()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("schema registry at " + registry.url()
                            + " did not answer within PT0.2S when asked to fetch the schema with id 3");
                });
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(4));
    }

    @Test
    void unreachableRegistryIsNamed() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/registry";
        HttpSchemaRegistryClient client = client(RegistrySettings.builder().url(url).retries(1)
                .retryBackoff(Duration.ofMillis(5)).build());

        assertThatThrownBy(() -> client.register("s", ORDER))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.isUnreachable()).isTrue();
                    assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_STATUS);
                    assertThat(e.getMessage()).isEqualTo("cannot reach schema registry at " + url
                            + ": connection refused (ConnectException) (2 attempts)");
                });
    }

    @Test
    void anUnreachableUrlFailsOverToTheNext() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        registry.on("GET /schemas/ids/3", 200, Map.of("schema", ORDER.toString()));
        registry.on("GET /schemas/ids/4", 200, Map.of("schema", ORDER.toString()));
        HttpSchemaRegistryClient client = client(RegistrySettings.builder()
                .urls("http://127.0.0.1:" + port + BASE, registry.url()).retries(1).retryBackoff(Duration.ZERO)
                .build());

        assertThat(client.schemaById(3)).isEqualTo(ORDER);
        assertThat(client.schemaById(4)).isEqualTo(ORDER);
        assertThat(registry.requests()).hasSize(2);
    }

    @Test
    void basicAuthIsSentAndRefusalsSaySo() {
        registry.on("GET /subjects", 200, List.of());
        registry.on("GET /config", 401, Map.of("error_code", 40101, "message", "Unauthorized"));
        HttpSchemaRegistryClient client = client(settings().basicAuth("fred", "hunter2"));

        client.subjects();

        assertThat(registry.requests().get(0).header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("fred:hunter2".getBytes(StandardCharsets.UTF_8)));
        assertRegistryError(client::globalCompatibility, 401, 40101, "check the credentials (basic.auth.user.info)");
        assertThat(registry.requests()).hasSize(2); // a 401 is not retried
        assertThat(client.settings().toString()).doesNotContain("hunter2");
    }

    @Test
    void nonAvroSchemasAndReferencesAreRefusedClearly() {
        registry.on("GET /schemas/ids/5", 200, Map.of("schema", "syntax = \"proto3\";", "schemaType", "PROTOBUF"));
        registry.on("GET /schemas/ids/6", 200, Map.of("schema", "{\"type\": \"record\", \"name\": \"A\", "
                + "\"fields\": [{\"name\": \"b\", \"type\": \"B\"}]}", "references", List.of(Map.of("name", "B",
                "subject", "b", "version", 1))));
        registry.on("GET /schemas/ids/7", 200, "not json");
        HttpSchemaRegistryClient client = client();

        assertThatThrownBy(() -> client.schemaById(5)).isInstanceOf(SchemaRegistryException.class)
                .hasMessage("schema id 5 is a PROTOBUF schema: only Avro is supported");
        assertThatThrownBy(() -> client.schemaById(6)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("uses schema references");
        assertThatThrownBy(() -> client.schemaById(7)).isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not JSON: not json");
    }

    @Test
    void serdesSpeakTheWireFormatThroughTheHttpClient() {
        registry.on("POST /subjects/orders-value/versions", 200, Map.of("id", 258));
        registry.on("GET /schemas/ids/258", 200, Map.of("schema", ORDER.toString()));
        Map<String, Object> config = Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                ConfluentAvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO, "app:secret");
        GenericRecord order = new GenericRecordBuilder(ORDER).set("id", 42L).set("note", "rush").build();

        byte[] bytes;
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>()) {
            serializer.configure(config, false);
            bytes = serializer.serialize("orders", order);
            serializer.serialize("orders", order);
        }
        GenericRecord read;
        try (ConfluentAvroDeserializer<GenericRecord> deserializer = new ConfluentAvroDeserializer<>()) {
            deserializer.configure(config, false);
            read = deserializer.deserialize("orders", bytes);
            deserializer.deserialize("orders", bytes);
        }

        assertThat(bytes).startsWith(0, 0, 0, 1, 2);
        assertThat(read).isEqualTo(order);
        assertThat(registry.requestLines()).containsExactly("POST /subjects/orders-value/versions",
                "GET /schemas/ids/258");
        assertThat(registry.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).isNotNull());
    }

    @Test
    void deserializerReportsAnUnknownIdAsASerializationException() {
        registry.on("GET /schemas/ids/77", 404, Map.of("error_code", 40403, "message", "Schema 77 not found"));
        ConfluentAvroDeserializer<Object> deserializer = new ConfluentAvroDeserializer<>(client());

        assertThatThrownBy(() -> deserializer.deserialize("orders", new byte[] {0, 0, 0, 0, 77, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema id 77 in a record of topic orders")
                .hasMessageContaining("Schema 77 not found");
    }

    @Test
    void tlsWithATrustStore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("registry.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext serverSsl = SSLContext.getInstance("TLS");
        serverSsl.init(kmf.getKeyManagers(), null, null);

        try (FakeRegistryServer https = FakeRegistryServer.startHttps(BASE, serverSsl)) {
            https.on("GET /subjects", 200, List.of("secure-value"));

            HttpSchemaRegistryClient trusting = new HttpSchemaRegistryClient(RegistrySettings.builder()
                    .url(https.url()).tls(RegistrySettings.Tls.trustStore(keystore, "changeit")).build());
            assertThat(trusting.subjects()).containsExactly("secure-value");

            HttpSchemaRegistryClient defaults = new HttpSchemaRegistryClient(RegistrySettings.builder()
                    .url(https.url()).retries(3).build());
            assertThatThrownBy(defaults::subjects).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.getMessage()).startsWith("cannot reach schema registry at " + https.url()
                        + ": TLS failed");
                assertThat(e.getMessage()).doesNotContain("attempts"); // a certificate is not tried again
            });
        }
    }
}
