package io.tributary.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of a Confluent-compatible schema registry (Confluent, Apicurio's {@code /apis/ccompat/v7}, Karapace)
 * over {@link HttpClient}, Avro schemas only. Answers are cached as {@link CachingSchemaRegistryClient} says: the
 * schema of an id and the id of a schema under a subject for ever, the latest version for
 * {@link RegistrySettings#latestTtl()}.
 *
 * <p>A connection failure, a timeout, a 5xx or a 429 answer is tried again ({@link RegistrySettings#retries()}
 * times, with a doubling back-off), on the next URL if there are several; any other 4xx is final and thrown as a
 * {@link SchemaRegistryException} carrying the status and the registry's {@code error_code}. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    /** The media type of requests and answers of the registry's API. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_ERROR_BODY = 300;

    private final RegistrySettings settings;
    private final List<String> bases;
    private final HttpClient http;
    private final String authorization;
    private final ObjectMapper json = new ObjectMapper();
    private final CachingSchemaRegistryClient cached;
    /** The URL that answered last: requests start there. */
    private final AtomicInteger preferred = new AtomicInteger();

    public HttpSchemaRegistryClient(RegistrySettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** A client whose cache of latest versions expires by {@code clock}. */
    public HttpSchemaRegistryClient(RegistrySettings settings, Clock clock) {
        this.settings = settings;
        this.bases = settings.bases();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER); // never hand the credentials to another host
        SSLContext ssl = settings.sslContext();
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.http = builder.build();
        this.authorization = settings.basicAuthUserInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        this.cached = new CachingSchemaRegistryClient(new Rest(), settings.latestTtl(), clock);
    }

    public RegistrySettings settings() {
        return settings;
    }

    @Override
    public int register(String subject, Schema schema) {
        return cached.register(subject, schema);
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        return cached.lookup(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        return cached.schemaById(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return cached.latest(subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return cached.version(subject, version);
    }

    @Override
    public List<String> subjects() {
        return cached.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return cached.versions(subject);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, Schema schema) {
        return cached.checkCompatibility(subject, schema);
    }

    @Override
    public CompatibilityResult checkCompatibility(String subject, int version, Schema schema) {
        return cached.checkCompatibility(subject, version, schema);
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return cached.globalCompatibility();
    }

    @Override
    public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        return cached.setGlobalCompatibility(level);
    }

    @Override
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return cached.subjectCompatibility(subject);
    }

    @Override
    public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        return cached.setSubjectCompatibility(subject, level);
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        return cached.deleteSubject(subject, permanent);
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient" + bases;
    }

    /** The REST calls themselves, uncached. */
    private final class Rest implements SchemaRegistryClient {

        @Override
        public int register(String subject, Schema schema) {
            JsonNode answer = call("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema),
                    "register a schema under subject '" + subject + "'");
            return requiredInt(answer, "id", "register");
        }

        @Override
        public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
            try {
                JsonNode answer = call("POST", "/subjects/" + segment(subject), schemaBody(schema),
                        "look up a schema under subject '" + subject + "'");
                return Optional.of(registered(answer, subject, schema));
            } catch (SchemaRegistryException e) {
                if (e.isNotFound()) {
                    return Optional.empty(); // 40401 no such subject, 40403 not in the subject
                }
                throw e;
            }
        }

        @Override
        public Schema schemaById(int id) {
            JsonNode answer = call("GET", "/schemas/ids/" + id, null, "fetch the schema with id " + id);
            return parseSchema(answer, "schema id " + id);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            JsonNode answer = call("GET", "/subjects/" + segment(subject) + "/versions/latest", null,
                    "fetch the latest version of subject '" + subject + "'");
            return registered(answer, subject, null);
        }

        @Override
        public RegisteredSchema version(String subject, int version) {
            JsonNode answer = call("GET", "/subjects/" + segment(subject) + "/versions/" + version, null,
                    "fetch version " + version + " of subject '" + subject + "'");
            return registered(answer, subject, null);
        }

        @Override
        public List<String> subjects() {
            JsonNode answer = call("GET", "/subjects", null, "list the subjects");
            List<String> subjects = new ArrayList<>();
            answer.forEach(n -> subjects.add(n.asText()));
            return List.copyOf(subjects);
        }

        @Override
        public List<Integer> versions(String subject) {
            return ints(call("GET", "/subjects/" + segment(subject) + "/versions", null,
                    "list the versions of subject '" + subject + "'"));
        }

        @Override
        public CompatibilityResult checkCompatibility(String subject, Schema schema) {
            try {
                return compatibility(subject, "latest", schema);
            } catch (SchemaRegistryException e) {
                if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                        || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                    return CompatibilityResult.ok(); // nothing registered yet: nothing to break
                }
                throw e;
            }
        }

        @Override
        public CompatibilityResult checkCompatibility(String subject, int version, Schema schema) {
            return compatibility(subject, Integer.toString(version), schema);
        }

        private CompatibilityResult compatibility(String subject, String version, Schema schema) {
            JsonNode answer = call("POST",
                    "/compatibility/subjects/" + segment(subject) + "/versions/" + version + "?verbose=true",
                    schemaBody(schema), "check a schema against version " + version + " of subject '" + subject
                            + "'");
            JsonNode compatible = answer.get("is_compatible");
            if (compatible == null || !compatible.isBoolean()) {
                throw malformed("check compatibility", "no is_compatible in " + answer);
            }
            List<String> messages = new ArrayList<>();
            answer.path("messages").forEach(m -> messages.add(m.isTextual() ? m.asText() : m.toString()));
            return new CompatibilityResult(compatible.asBoolean(), messages);
        }

        @Override
        public CompatibilityLevel globalCompatibility() {
            return level(call("GET", "/config", null, "fetch the global compatibility level"));
        }

        @Override
        public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
            return level(call("PUT", "/config", Map.of("compatibility", level.name()),
                    "set the global compatibility level to " + level));
        }

        @Override
        public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
            try {
                return Optional.of(level(call("GET", "/config/" + segment(subject), null,
                        "fetch the compatibility level of subject '" + subject + "'")));
            } catch (SchemaRegistryException e) {
                if (e.isNotFound()) {
                    return Optional.empty(); // 40408: the subject has no level of its own
                }
                throw e;
            }
        }

        @Override
        public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
            return level(call("PUT", "/config/" + segment(subject), Map.of("compatibility", level.name()),
                    "set the compatibility level of subject '" + subject + "' to " + level));
        }

        @Override
        public List<Integer> deleteSubject(String subject, boolean permanent) {
            return ints(call("DELETE", "/subjects/" + segment(subject) + (permanent ? "?permanent=true" : ""), null,
                    (permanent ? "permanently delete" : "delete") + " subject '" + subject + "'"));
        }
    }

    private Map<String, String> schemaBody(Schema schema) {
        // Avro is the registry's default type: no schemaType, as Confluent's own client sends it
        return Map.of("schema", schema.toString());
    }

    private RegisteredSchema registered(JsonNode answer, String subject, Schema known) {
        Schema schema = known != null && !answer.hasNonNull("schema") ? known
                : parseSchema(answer, "subject '" + subject + "'");
        String name = answer.path("subject").asText(subject);
        return new RegisteredSchema(name, requiredInt(answer, "id", "subject '" + subject + "'"),
                requiredInt(answer, "version", "subject '" + subject + "'"), schema);
    }

    private Schema parseSchema(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException(what + " is a " + type + " schema: only Avro is supported", 200,
                    SchemaRegistryException.NO_ERROR_CODE, null);
        }
        JsonNode references = answer.path("references");
        if (references.isArray() && !references.isEmpty()) {
            throw new SchemaRegistryException(what + " uses schema references, which this client does not resolve: "
                    + references, 200, SchemaRegistryException.NO_ERROR_CODE, null);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw malformed("read " + what, "no schema in " + abbreviate(answer.toString()));
        }
        try {
            // lenient about defaults: a schema the registry holds must be readable even if another tool wrote it
            return new Schema.Parser().setValidateDefaults(false).parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("the registry's " + what + " is not a valid Avro schema: "
                    + e.getMessage(), 200, SchemaRegistryException.NO_ERROR_CODE, null, e);
        }
    }

    private static CompatibilityLevel level(JsonNode answer) {
        JsonNode level = answer.hasNonNull("compatibilityLevel") ? answer.get("compatibilityLevel")
                : answer.get("compatibility");
        if (level == null) {
            throw malformed("read a compatibility level", "no compatibilityLevel in " + answer);
        }
        try {
            return CompatibilityLevel.parse(level.asText());
        } catch (IllegalArgumentException e) {
            throw malformed("read a compatibility level", e.getMessage());
        }
    }

    private static List<Integer> ints(JsonNode answer) {
        List<Integer> ints = new ArrayList<>();
        answer.forEach(n -> ints.add(n.asInt()));
        return List.copyOf(ints);
    }

    private static int requiredInt(JsonNode answer, String field, String what) {
        JsonNode n = answer.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw malformed(what, "no " + field + " in " + abbreviate(answer.toString()));
        }
        return n.asInt();
    }

    private static SchemaRegistryException malformed(String what, String detail) {
        return new SchemaRegistryException("unexpected answer of the schema registry to " + what + ": " + detail,
                200, SchemaRegistryException.NO_ERROR_CODE, null);
    }

    /** A subject as one path segment: '/' and everything else that is not a URL character escaped. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, Object body, String operation) {
        String payload;
        try {
            payload = body == null ? null : json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int attempts = settings.retries() + 1;
        Duration backoff = settings.retryBackoff();
        int start = preferred.get();
        SchemaRegistryException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            int index = Math.floorMod(start + attempt, bases.size());
            String base = bases.get(index);
            Duration wait = backoff;
            try {
                HttpResponse<String> response = http.send(request(method, URI.create(base + path), payload),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    preferred.set(index);
                    return parse(response.body(), operation);
                }
                last = error(response, base, operation);
                if (status != 429 && status < 500) {
                    throw last;
                }
                if (status == 429) {
                    wait = retryAfter(response).orElse(backoff);
                }
            } catch (HttpConnectTimeoutException e) {
                last = SchemaRegistryException.unreachable("cannot reach schema registry at " + base
                        + ": no connection within " + settings.connectTimeout(), e);
            } catch (HttpTimeoutException e) {
                last = SchemaRegistryException.unreachable("schema registry at " + base + " did not answer within "
                        + settings.requestTimeout() + " when asked to " + operation, e);
            } catch (SSLException e) {
                throw SchemaRegistryException.unreachable("cannot reach schema registry at " + base
                        + ": TLS failed: " + describe(e), e); // trying again would not help
            } catch (IOException e) {
                last = SchemaRegistryException.unreachable("cannot reach schema registry at " + base + ": "
                        + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SchemaRegistryException.unreachable("interrupted while asking schema registry at " + base
                        + " to " + operation, e);
            }
            if (attempt + 1 < attempts) {
                sleep(min(wait, settings.maxRetryBackoff()), base, operation);
                backoff = min(backoff.multipliedBy(2), settings.maxRetryBackoff());
            }
        }
        if (attempts == 1) {
            throw last;
        }
        throw new SchemaRegistryException(last.getMessage() + " (" + attempts + " attempts)", last.status(),
                last.errorCode(), last.registryMessage(), last.getCause());
    }

    private HttpRequest request(String method, URI uri, String payload) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Accept", ACCEPT)
                .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
        if (payload != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private JsonNode parse(String body, String operation) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw malformed(operation, "not JSON: " + abbreviate(body));
        }
    }

    private SchemaRegistryException error(HttpResponse<String> response, String base, String operation) {
        int status = response.statusCode();
        int code = SchemaRegistryException.NO_ERROR_CODE;
        String message = null;
        String body = response.body() == null ? "" : response.body();
        try {
            JsonNode n = json.readTree(body);
            if (n != null && n.isObject()) {
                code = n.path("error_code").asInt(SchemaRegistryException.NO_ERROR_CODE);
                message = n.hasNonNull("message") ? n.get("message").asText() : null;
            }
        } catch (JsonProcessingException e) {
            // not the registry's JSON error (a proxy's page, say): its text is the message
        }
        String detail = message != null ? message : body.isBlank() ? "(no message)" : abbreviate(body);
        String statusText = "HTTP " + status
                + (code == SchemaRegistryException.NO_ERROR_CODE ? "" : ", error " + code);
        String text;
        if (status == 409) {
            text = "schema registry at " + base + " refused to " + operation
                    + ": the schema is incompatible with an earlier version (" + statusText + "): " + detail;
        } else if (status == 422) {
            text = "schema registry at " + base + " refused to " + operation + ": invalid (" + statusText + "): "
                    + detail;
        } else if (status == 401 || status == 403) {
            text = "schema registry at " + base + " refused to " + operation + " (" + statusText + "): " + detail
                    + (authorization == null ? "; no credentials were sent (basic.auth.user.info)"
                            : "; check the credentials (basic.auth.user.info)");
        } else {
            text = "schema registry at " + base + " could not " + operation + " (" + statusText + "): " + detail;
        }
        return new SchemaRegistryException(text, status, code, message);
    }

    private Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP date: use our own back-off
            }
        });
    }

    private static void sleep(Duration wait, String base, String operation) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SchemaRegistryException.unreachable("interrupted while waiting to ask schema registry at " + base
                    + " again to " + operation, e);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The cause of a failed connection in words: the JDK's own exceptions here mostly carry no message. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnresolvedAddressException) {
            return "unknown host (" + e.getClass().getSimpleName() + ")";
        }
        if (e instanceof ConnectException && root instanceof ClosedChannelException) {
            return "connection refused (" + e.getClass().getSimpleName() + ")";
        }
        StringBuilder text = new StringBuilder();
        String previous = null;
        for (Throwable t = e; t != null && text.length() < 300; t = t.getCause() == t ? null : t.getCause()) {
            String part = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
            if (!part.equals(previous)) {
                text.append(text.isEmpty() ? "" : ": ").append(part);
            }
            previous = part;
        }
        return text.toString();
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\s+", " ").trim();
        return flat.length() <= MAX_ERROR_BODY ? flat : flat.substring(0, MAX_ERROR_BODY) + "...";
    }
}
