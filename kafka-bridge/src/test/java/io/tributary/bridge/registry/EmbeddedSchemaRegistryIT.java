package io.tributary.bridge.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.bridge.testing.SharedKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedded registry over real HTTP, storing in the shared in-process Kafka. */
class EmbeddedSchemaRegistryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final String V1 = SchemaRegistryServiceTest.V1;
    private static final String V2 = SchemaRegistryServiceTest.V2;
    private static final String NOT_BACKWARD = SchemaRegistryServiceTest.NOT_BACKWARD;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<EmbeddedSchemaRegistry> registries = new ArrayList<>();
    private String topic;

    private record Reply(int status, JsonNode body, String rawBody, String contentType) {
        int errorCode() {
            return body.path("error_code").asInt();
        }

        int id() {
            return body.path("id").asInt();
        }
    }

    @BeforeEach
    void topic() {
        topic = "_schemas-it-" + TOPICS.incrementAndGet();
    }

    @AfterEach
    void close() {
        registries.forEach(EmbeddedSchemaRegistry::close);
    }

    private SchemaRegistrySettings settings() {
        return SchemaRegistrySettings.defaults(SharedKafka.bootstrapServers()).withPort(0).withTopic(topic);
    }

    private EmbeddedSchemaRegistry start() {
        return start(settings());
    }

    private EmbeddedSchemaRegistry start(SchemaRegistrySettings settings) {
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(settings).start();
        registries.add(registry);
        return registry;
    }

    private Reply send(EmbeddedSchemaRegistry registry, String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(TIMEOUT)
                .header("Accept", SchemaRegistryService.CONTENT_TYPE);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", SchemaRegistryService.CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), JSON.readTree(response.body()), response.body(),
                    response.headers().firstValue("Content-Type").orElse(null));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Reply get(EmbeddedSchemaRegistry registry, String path) {
        return send(registry, "GET", path, null);
    }

    private Reply register(EmbeddedSchemaRegistry registry, String subject, String schema) {
        return send(registry, "POST", "/subjects/" + subject + "/versions", SchemaRegistryServiceTest.schemaBody(schema));
    }

    private static String canonical(String schema) {
        return new org.apache.avro.Schema.Parser().parse(schema).toString();
    }

    @Test
    void registersLooksUpAndChecksOverHttp() {
        EmbeddedSchemaRegistry registry = start();
        assertThat(registry.port()).isPositive();
        assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port());

        Reply first = register(registry, "readings-value", V1);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(first.rawBody()).isEqualTo("{\"id\":1}");
        assertThat(register(registry, "readings-value", V1).id()).as("idempotent").isEqualTo(1);
        assertThat(register(registry, "readings-value", V2).id()).isEqualTo(2);
        assertThat(register(registry, "other-value", V1).id()).as("same schema, same id").isEqualTo(1);

        Reply refused = register(registry, "readings-value", NOT_BACKWARD);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo(409);
        assertThat(refused.body().get("message").asText()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");

        assertThat(get(registry, "/subjects").rawBody()).isEqualTo("[\"other-value\",\"readings-value\"]");
        assertThat(get(registry, "/subjects/readings-value/versions").rawBody()).isEqualTo("[1,2]");
        Reply latest = get(registry, "/subjects/readings-value/versions/latest");
        assertThat(latest.body().get("version").asInt()).isEqualTo(2);
        assertThat(latest.body().get("id").asInt()).isEqualTo(2);
        assertThat(latest.body().get("schema").asText()).isEqualTo(canonical(V2));
        assertThat(get(registry, "/subjects/readings-value/versions/1/schema").rawBody()).isEqualTo(canonical(V1));

        Reply lookup = send(registry, "POST", "/subjects/readings-value", SchemaRegistryServiceTest.schemaBody(V2));
        assertThat(lookup.body().get("version").asInt()).isEqualTo(2);
        assertThat(send(registry, "POST", "/subjects/readings-value",
                SchemaRegistryServiceTest.schemaBody("\"bytes\"")).errorCode()).isEqualTo(40403);

        assertThat(get(registry, "/schemas/ids/2").body().get("schema").asText()).isEqualTo(canonical(V2));
        assertThat(get(registry, "/schemas/ids/1/schema").rawBody()).isEqualTo(canonical(V1));
        assertThat(get(registry, "/schemas/ids/1/versions").rawBody()).isEqualTo(
                "[{\"subject\":\"other-value\",\"version\":1},{\"subject\":\"readings-value\",\"version\":1}]");
        assertThat(get(registry, "/schemas/ids/9").errorCode()).isEqualTo(40403);

        assertThat(send(registry, "POST", "/compatibility/subjects/readings-value/versions/latest",
                SchemaRegistryServiceTest.schemaBody(NOT_BACKWARD)).rawBody()).isEqualTo("{\"is_compatible\":false}");
        Reply verbose = send(registry, "POST", "/compatibility/subjects/readings-value/versions/1?verbose=true",
                SchemaRegistryServiceTest.schemaBody(V2));
        assertThat(verbose.rawBody()).isEqualTo("{\"is_compatible\":true,\"messages\":[]}");
    }

    @Test
    void configuresLevelsAndDeletesOverHttp() {
        EmbeddedSchemaRegistry registry = start();
        assertThat(get(registry, "/config").rawBody()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        assertThat(send(registry, "PUT", "/config/s", "{\"compatibility\":\"NONE\"}").rawBody())
                .isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(get(registry, "/config/s").rawBody()).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
        assertThat(get(registry, "/config/t").errorCode()).isEqualTo(40408);
        assertThat(get(registry, "/config/t?defaultToGlobal=true").rawBody())
                .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

        register(registry, "s", V1);
        assertThat(register(registry, "s", NOT_BACKWARD).status()).isEqualTo(200);
        assertThat(send(registry, "DELETE", "/config/s", null).rawBody())
                .isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
        assertThat(send(registry, "PUT", "/config", "{\"compatibility\":\"FULL_TRANSITIVE\"}").status())
                .isEqualTo(200);
        assertThat(get(registry, "/config").rawBody()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");

        assertThat(send(registry, "DELETE", "/subjects/s/versions/2?permanent=true", null).errorCode())
                .isEqualTo(40407);
        assertThat(send(registry, "DELETE", "/subjects/s/versions/2", null).rawBody()).isEqualTo("2");
        assertThat(get(registry, "/subjects/s/versions").rawBody()).isEqualTo("[1]");
        assertThat(send(registry, "DELETE", "/subjects/s?permanent=true", null).errorCode()).isEqualTo(40405);
        assertThat(send(registry, "DELETE", "/subjects/s", null).rawBody()).isEqualTo("[1]");
        assertThat(get(registry, "/subjects").rawBody()).isEqualTo("[]");
        assertThat(send(registry, "DELETE", "/subjects/s", null).errorCode()).isEqualTo(40404);
        assertThat(send(registry, "DELETE", "/subjects/s?permanent=true", null).rawBody()).isEqualTo("[1,2]");
        assertThat(get(registry, "/subjects?deleted=true").rawBody()).isEqualTo("[]");
        assertThat(get(registry, "/subjects/s/versions").errorCode()).isEqualTo(40401);

        Reply unknown = get(registry, "/unknown");
        assertThat(unknown.status()).isEqualTo(404);
        Reply wrongMethod = send(registry, "DELETE", "/schemas/ids/1", null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(send(registry, "POST", "/subjects/s/versions",
                "{\"schema\":\"x\",\"schemaType\":\"JSON\"}").errorCode()).isEqualTo(42201);
    }

    @Test
    void storesDocumentedRecordsInACompactedSinglePartitionTopic() throws Exception {
        EmbeddedSchemaRegistry registry = start();
        register(registry, "s", V1);
        send(registry, "PUT", "/config", "{\"compatibility\":\"FULL\"}");

        TopicDescription description = SharedKafka.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        assertThat(description.partitions()).hasSize(1);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = SharedKafka.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                .get(resource);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");

        List<String> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : SharedKafka.readAll(topic, 3, TIMEOUT)) {
            records.add(new String(record.key(), StandardCharsets.UTF_8) + " -> "
                    + new String(record.value(), StandardCharsets.UTF_8));
        }
        assertThat(records).containsExactly(
                "{\"keytype\":\"ID_HIGH_WATERMARK\",\"magic\":0} -> {\"highestId\":1}",
                "{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1} -> "
                        + JSON.createObjectNode().put("subject", "s").put("version", 1).put("id", 1)
                        .put("schema", canonical(V1)).put("deleted", false),
                "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0} -> {\"compatibilityLevel\":\"FULL\"}");
    }

    @Test
    void aRestartReadsEverythingBackFromTheTopic() {
        EmbeddedSchemaRegistry first = start();
        register(first, "a", V1);
        register(first, "a", V2);
        register(first, "b", "\"string\"");
        register(first, "gone", "\"long\"");
        send(first, "PUT", "/config/a", "{\"compatibility\":\"FORWARD\"}");
        send(first, "DELETE", "/subjects/b", null);
        send(first, "DELETE", "/subjects/gone", null);
        send(first, "DELETE", "/subjects/gone?permanent=true", null);
        first.close();
        registries.remove(first);

        EmbeddedSchemaRegistry second = start();
        assertThat(get(second, "/subjects").rawBody()).isEqualTo("[\"a\"]");
        assertThat(get(second, "/subjects?deleted=true").rawBody()).isEqualTo("[\"a\",\"b\"]");
        assertThat(get(second, "/subjects/a/versions").rawBody()).isEqualTo("[1,2]");
        assertThat(get(second, "/subjects/a/versions/2").body().get("id").asInt()).isEqualTo(2);
        assertThat(get(second, "/schemas/ids/3").body().get("schema").asText()).isEqualTo("\"string\"");
        assertThat(get(second, "/schemas/ids/4").errorCode()).as("permanently deleted").isEqualTo(40403);
        assertThat(get(second, "/config/a").rawBody()).isEqualTo("{\"compatibilityLevel\":\"FORWARD\"}");

        assertThat(register(second, "a", V2).id()).as("still registered").isEqualTo(2);
        assertThat(register(second, "c", "\"double\"").id()).as("id 4 was used before").isEqualTo(5);
    }

    @Test
    void twoInstancesOnOneTopicSeeEachOthersRegistrations() {
        EmbeddedSchemaRegistry a = start();
        EmbeddedSchemaRegistry b = start();
        int fromA = register(a, "from-a", V1).id();
        int fromB = register(b, "from-b", "\"string\"").id();
        assertThat(Set.of(fromA, fromB)).containsExactlyInAnyOrder(1, 2);
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(get(a, "/subjects").rawBody()).isEqualTo("[\"from-a\",\"from-b\"]");
            assertThat(get(b, "/subjects").rawBody()).isEqualTo("[\"from-a\",\"from-b\"]");
        });
        assertThat(register(b, "also-from-b", V1).id()).as("b knows a's id of V1").isEqualTo(fromA);

        // both at once: every schema gets its own id, both instances agree on all of them
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String schema = "{\"type\":\"fixed\",\"name\":\"F" + i + "\",\"size\":" + (i + 1) + "}";
            EmbeddedSchemaRegistry instance = i % 2 == 0 ? a : b;
            String subject = "race-" + i;
            replies.add(CompletableFuture.supplyAsync(() -> register(instance, subject, schema)));
        }
        Set<Integer> ids = new HashSet<>();
        for (CompletableFuture<Reply> reply : replies) {
            Reply done = reply.join();
            assertThat(done.status()).as(done.rawBody()).isEqualTo(200);
            ids.add(done.id());
        }
        assertThat(ids).hasSize(10).allMatch(id -> id > 2 && id <= 12);
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 10; i++) {
                assertThat(get(a, "/subjects/race-" + i + "/versions/1").rawBody())
                        .isEqualTo(get(b, "/subjects/race-" + i + "/versions/1").rawBody())
                        .contains("\"version\":1");
            }
        });

        // versions of one subject, written by both: no version twice
        send(a, "PUT", "/config/shared", "{\"compatibility\":\"NONE\"}");
        List<CompletableFuture<Reply>> shared = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            EmbeddedSchemaRegistry instance = i % 2 == 0 ? a : b;
            String schema = "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"S" + i + "\"]}";
            shared.add(CompletableFuture.supplyAsync(() -> register(instance, "shared", schema)));
        }
        shared.forEach(reply -> assertThat(reply.join().status()).isEqualTo(200));
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(get(a, "/subjects/shared/versions").rawBody()).isEqualTo("[1,2,3,4,5,6]");
            assertThat(get(b, "/subjects/shared/versions").rawBody()).isEqualTo("[1,2,3,4,5,6]");
        });
    }

    @Test
    void aBadPortOrTopicFailsTheStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> new EmbeddedSchemaRegistry(settings().withPort(taken.getLocalPort())).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }
        assertThatThrownBy(() -> new EmbeddedSchemaRegistry(settings().withTopic("bad topic!")).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'bad topic!'");

        SharedKafka.createTopic(topic, 3);
        assertThatThrownBy(() -> start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'" + topic + "'").hasMessageContaining("3 partitions");
    }
}
