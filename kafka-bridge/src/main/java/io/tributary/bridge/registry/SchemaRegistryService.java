package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subset of Confluent's Schema Registry REST API that clients use, for Avro schemas, without sockets: a
 * {@link RegistryRequest} in, a {@link RegistryResponse} out. Queries read the {@link RegistryState}; writes are
 * decided and appended through the {@link RegistryLog}.
 *
 * <p>Endpoints ({@code {v}} is a version, {@code latest} or {@code -1}):
 * <pre>
 * GET    /subjects                                 ?deleted=true
 * POST   /subjects/{s}                             lookup {schema}; ?deleted=true
 * DELETE /subjects/{s}                             soft delete; ?permanent=true after a soft delete
 * GET    /subjects/{s}/versions                    ?deleted=true
 * POST   /subjects/{s}/versions                    register {schema} -&gt; {id}
 * GET    /subjects/{s}/versions/{v}                ?deleted=true
 * DELETE /subjects/{s}/versions/{v}                soft delete; ?permanent=true after a soft delete
 * GET    /subjects/{s}/versions/{v}/schema         the schema itself
 * GET    /schemas/ids/{id}                         {schema}
 * GET    /schemas/ids/{id}/schema                  the schema itself
 * GET    /schemas/ids/{id}/versions                [{subject, version}]; ?deleted=true
 * GET    /schemas/types                            ["AVRO"]
 * POST   /compatibility/subjects/{s}/versions      {schema} against the versions the subject's level checks
 * POST   /compatibility/subjects/{s}/versions/{v}  {schema} -&gt; {is_compatible}; ?verbose=true adds messages
 * GET    /config                                   {compatibilityLevel}
 * PUT    /config                                   {compatibility}
 * GET    /config/{s}                               ?defaultToGlobal=true
 * PUT    /config/{s}                               {compatibility}
 * DELETE /config/{s}
 * </pre>
 */
public final class SchemaRegistryService {

    /** What the registry answers with; requests may also be sent as {@code application/json}. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final Set<String> ACCEPTED_CONTENT_TYPES = Set.of(CONTENT_TYPE, "application/vnd.schemaregistry+json",
            "application/json", "application/octet-stream");

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AVRO = "AVRO";
    private static final int SCHEMA_CACHE_LIMIT = 10_000;

    private final RegistryLog log;
    private final RegistryState state;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Schema> parsed = new ConcurrentHashMap<>();

    public SchemaRegistryService(RegistryLog log) {
        this.log = Objects.requireNonNull(log, "log");
        this.state = log.state();
        route(List.of(), Map.of("GET", call -> json(200, JSON.createObjectNode())));
        route(List.of("subjects"), Map.of("GET", this::listSubjects));
        route(List.of("subjects", "*"), Map.of("POST", this::lookUp, "DELETE", this::deleteSubject));
        route(List.of("subjects", "*", "versions"), Map.of("GET", this::listVersions, "POST", this::register));
        route(List.of("subjects", "*", "versions", "*"), Map.of("GET", this::getVersion,
                "DELETE", this::deleteVersion));
        route(List.of("subjects", "*", "versions", "*", "schema"), Map.of("GET", this::getVersionSchema));
        route(List.of("schemas", "ids", "*"), Map.of("GET", this::getById));
        route(List.of("schemas", "ids", "*", "schema"), Map.of("GET", this::getRawById));
        route(List.of("schemas", "ids", "*", "versions"), Map.of("GET", this::getVersionsById));
        route(List.of("schemas", "types"), Map.of("GET", call -> json(200, JSON.createArrayNode().add(AVRO))));
        route(List.of("compatibility", "subjects", "*", "versions"), Map.of("POST", this::checkCompatibility));
        route(List.of("compatibility", "subjects", "*", "versions", "*"), Map.of("POST", this::checkCompatibility));
        route(List.of("config"), Map.of("GET", this::getGlobalConfig, "PUT", this::putConfig));
        route(List.of("config", "*"), Map.of("GET", this::getSubjectConfig, "PUT", this::putConfig,
                "DELETE", this::deleteSubjectConfig));
    }

    /** Answers {@code request}; never fails: errors become responses with Confluent's {@code error_code}. */
    public CompletionStage<RegistryResponse> handle(RegistryRequest request) {
        try {
            List<String> segments = segments(request.rawPath());
            for (Route route : routes) {
                Optional<List<String>> params = route.match(segments);
                if (params.isEmpty()) {
                    continue;
                }
                Handler handler = route.handlers().get(request.method().toUpperCase(Locale.ROOT));
                if (handler == null) {
                    return CompletableFuture.completedFuture(new RegistryResponse(405,
                            errorBody(405, "HTTP 405 Method Not Allowed"),
                            Map.of("Allow", String.join(", ", route.handlers().keySet().stream().sorted().toList()))));
                }
                Call call = new Call(params.get(), query(request.rawQuery()), request);
                return handler.handle(call).exceptionally(SchemaRegistryService::errorResponse);
            }
            return CompletableFuture.completedFuture(error(404, 404, "HTTP 404 Not Found"));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(errorResponse(e));
        }
    }

    // --- subjects and versions

    private CompletionStage<RegistryResponse> listSubjects(Call call) {
        ArrayNode subjects = JSON.createArrayNode();
        state.subjects(call.flag("deleted")).forEach(subjects::add);
        return json(200, subjects);
    }

    private CompletionStage<RegistryResponse> listVersions(Call call) {
        String subject = call.param(0);
        List<SchemaEntry> versions = state.versions(subject, call.flag("deleted"));
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        ArrayNode numbers = JSON.createArrayNode();
        versions.forEach(e -> numbers.add(e.version()));
        return json(200, numbers);
    }

    private CompletionStage<RegistryResponse> getVersion(Call call) {
        return json(200, entryJson(version(call.param(0), call.param(1), call.flag("deleted"))));
    }

    private CompletionStage<RegistryResponse> getVersionSchema(Call call) {
        return raw(version(call.param(0), call.param(1), call.flag("deleted")).schema());
    }

    private SchemaEntry version(String subject, String versionText, boolean includeDeleted) {
        OptionalInt version = parseVersion(versionText);
        List<SchemaEntry> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        if (version.isEmpty()) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(e -> e.version() == version.getAsInt()).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(version.getAsInt()));
    }

    private CompletionStage<RegistryResponse> lookUp(Call call) {
        String subject = call.param(0);
        ParsedSchema schema = parseSchemaRequest(call);
        boolean includeDeleted = call.flag("deleted");
        List<SchemaEntry> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).schema().equals(schema.canonical())) {
                return json(200, entryJson(versions.get(i)));
            }
        }
        throw RegistryException.schemaNotFound();
    }

    private CompletionStage<RegistryResponse> register(Call call) {
        String subject = call.param(0);
        ParsedSchema schema = parseSchemaRequest(call);
        return log.append(current -> {
            List<SchemaEntry> all = current.versions(subject, true);
            List<SchemaEntry> live = all.stream().filter(e -> !e.deleted()).toList();
            for (SchemaEntry entry : live) {
                if (entry.schema().equals(schema.canonical())) {
                    return RegistryLog.Plan.answer(entry.id()); // registered before: same id, no new version
                }
            }
            CompatibilityLevel level = current.level(subject);
            List<String> incompatibilities = incompatibilities(level, schema.schema(), live);
            if (!incompatibilities.isEmpty()) {
                throw RegistryException.incompatible(subject, incompatibilities);
            }
            int version = all.isEmpty() ? 1 : all.get(all.size() - 1).version() + 1;
            OptionalInt known = current.id(schema.canonical());
            int id = known.isPresent() ? known.getAsInt() : current.highestId() + 1;
            RegistryRecord entry = new RegistryRecord.SchemaVersion(
                    new SchemaEntry(subject, version, id, schema.canonical(), false));
            return known.isPresent()
                    ? RegistryLog.Plan.write(id, entry)
                    : RegistryLog.Plan.write(id, new RegistryRecord.IdHighWatermark(id), entry);
        }).thenCompose(id -> json(200, JSON.createObjectNode().put("id", id)));
    }

    private CompletionStage<RegistryResponse> deleteSubject(Call call) {
        String subject = call.param(0);
        boolean permanent = call.flag("permanent");
        return log.append(current -> {
            List<SchemaEntry> all = current.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            List<SchemaEntry> live = all.stream().filter(e -> !e.deleted()).toList();
            List<RegistryRecord> records = new ArrayList<>();
            List<Integer> versions = new ArrayList<>();
            if (permanent) {
                if (!live.isEmpty()) {
                    throw RegistryException.subjectNotSoftDeleted(subject);
                }
                for (SchemaEntry entry : all) {
                    records.add(new RegistryRecord.SchemaVersionDeleted(subject, entry.version()));
                    versions.add(entry.version());
                }
                if (current.subjectLevel(subject).isPresent()) {
                    records.add(new RegistryRecord.ConfigDeleted(subject)); // gone with the subject, as Confluent
                }
            } else {
                if (live.isEmpty()) {
                    throw RegistryException.subjectSoftDeleted(subject);
                }
                for (SchemaEntry entry : live) {
                    records.add(new RegistryRecord.SchemaVersion(entry.asDeleted()));
                    versions.add(entry.version());
                }
            }
            return new RegistryLog.Plan<>(records, versions);
        }).thenCompose(versions -> {
            ArrayNode numbers = JSON.createArrayNode();
            versions.forEach(numbers::add);
            return json(200, numbers);
        });
    }

    private CompletionStage<RegistryResponse> deleteVersion(Call call) {
        String subject = call.param(0);
        OptionalInt version = parseVersion(call.param(1));
        boolean permanent = call.flag("permanent");
        return log.append(current -> {
            List<SchemaEntry> all = current.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            SchemaEntry entry;
            if (version.isPresent()) {
                entry = all.stream().filter(e -> e.version() == version.getAsInt()).findFirst()
                        .orElseThrow(() -> RegistryException.versionNotFound(version.getAsInt()));
            } else {
                // latest: the newest live version, or for a permanent delete the newest soft-deleted one
                List<SchemaEntry> candidates = all.stream().filter(e -> e.deleted() == permanent).toList();
                if (candidates.isEmpty()) {
                    throw RegistryException.latestVersionNotFound(subject);
                }
                entry = candidates.get(candidates.size() - 1);
            }
            if (permanent) {
                if (!entry.deleted()) {
                    throw RegistryException.versionNotSoftDeleted(subject, entry.version());
                }
                return RegistryLog.Plan.write(entry.version(),
                        new RegistryRecord.SchemaVersionDeleted(subject, entry.version()));
            }
            if (entry.deleted()) {
                throw RegistryException.versionSoftDeleted(subject, entry.version());
            }
            return RegistryLog.Plan.write(entry.version(), new RegistryRecord.SchemaVersion(entry.asDeleted()));
        }).thenCompose(deleted -> json(200, JSON.getNodeFactory().numberNode(deleted)));
    }

    // --- schemas by id

    private CompletionStage<RegistryResponse> getById(Call call) {
        return json(200, JSON.createObjectNode().put("schema", schemaById(call.param(0))));
    }

    private CompletionStage<RegistryResponse> getRawById(Call call) {
        return raw(schemaById(call.param(0)));
    }

    private CompletionStage<RegistryResponse> getVersionsById(Call call) {
        int id = parseId(call.param(0));
        schemaById(call.param(0));
        ArrayNode pairs = JSON.createArrayNode();
        for (SchemaEntry entry : state.versionsWithId(id, call.flag("deleted"))) {
            pairs.addObject().put("subject", entry.subject()).put("version", entry.version());
        }
        return json(200, pairs);
    }

    private String schemaById(String idText) {
        return state.schema(parseId(idText)).orElseThrow(() -> RegistryException.schemaNotFound(idText));
    }

    private static int parseId(String idText) {
        try {
            return Integer.parseInt(idText);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound(idText);
        }
    }

    // --- compatibility

    private CompletionStage<RegistryResponse> checkCompatibility(Call call) {
        String subject = call.param(0);
        ParsedSchema schema = parseSchemaRequest(call);
        OptionalInt version = call.params().size() > 1 ? parseVersion(call.param(1)) : OptionalInt.empty();
        CompatibilityLevel level = state.level(subject);
        List<String> messages;
        if (version.isEmpty()) {
            // latest: what registering would check (nothing to check in a new subject)
            messages = incompatibilities(level, schema.schema(), state.versions(subject, false));
        } else {
            SchemaEntry previous = version(subject, Integer.toString(version.getAsInt()), false);
            messages = incompatibilities(level, schema.schema(), List.of(previous));
        }
        ObjectNode result = JSON.createObjectNode().put("is_compatible", messages.isEmpty());
        if (call.flag("verbose")) {
            ArrayNode list = result.putArray("messages");
            messages.forEach(list::add);
        }
        return json(200, result);
    }

    private List<String> incompatibilities(CompatibilityLevel level, Schema candidate, List<SchemaEntry> previous) {
        List<String> messages = new ArrayList<>();
        for (SchemaEntry entry : level.checkedVersions(previous)) {
            List<String> found = level.incompatibilities(candidate, stored(entry.schema()));
            if (!found.isEmpty()) {
                messages.addAll(found);
                messages.add("{oldSchemaVersion: " + entry.version() + "}");
                messages.add("{oldSchema: '" + entry.schema() + "'}");
            }
        }
        if (!messages.isEmpty()) {
            messages.add("{compatibility: '" + level + "'}");
        }
        return messages;
    }

    // --- config

    private CompletionStage<RegistryResponse> getGlobalConfig(Call call) {
        return json(200, JSON.createObjectNode().put("compatibilityLevel", state.globalLevel().name()));
    }

    private CompletionStage<RegistryResponse> getSubjectConfig(Call call) {
        String subject = call.param(0);
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        CompatibilityLevel level;
        if (own.isPresent()) {
            level = own.get();
        } else if (call.flag("defaultToGlobal")) {
            level = state.globalLevel();
        } else {
            throw RegistryException.subjectLevelNotConfigured(subject);
        }
        return json(200, JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    private CompletionStage<RegistryResponse> putConfig(Call call) {
        String subject = call.params().isEmpty() ? null : call.param(0);
        JsonNode body = call.jsonBody();
        JsonNode field = body.get("compatibility");
        if (field == null) {
            field = body.get("compatibilityLevel"); // what GET answers with: accept it back
        }
        String name = field == null || field.isNull() ? null : field.asText();
        CompatibilityLevel level = CompatibilityLevel.find(name)
                .orElseThrow(() -> RegistryException.invalidCompatibilityLevel(name));
        return log.append(current -> RegistryLog.Plan.write(level, new RegistryRecord.Config(subject, level)))
                .thenCompose(set -> json(200, JSON.createObjectNode().put("compatibility", set.name())));
    }

    private CompletionStage<RegistryResponse> deleteSubjectConfig(Call call) {
        String subject = call.param(0);
        return log.append(current -> {
            CompatibilityLevel own = current.subjectLevel(subject)
                    .orElseThrow(() -> RegistryException.subjectNotFound(subject));
            return RegistryLog.Plan.write(own, new RegistryRecord.ConfigDeleted(subject));
        }).thenCompose(deleted -> json(200, JSON.createObjectNode().put("compatibilityLevel", deleted.name())));
    }

    // --- requests

    private record ParsedSchema(Schema schema, String canonical) {
    }

    private ParsedSchema parseSchemaRequest(Call call) {
        JsonNode body = call.jsonBody();
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !AVRO.equalsIgnoreCase(type.asText())) {
            throw RegistryException.invalidSchema("Unsupported schema type '" + type.asText()
                    + "': this registry serves Avro schemas only");
        }
        JsonNode references = body.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw RegistryException.invalidSchema("Schema references are not supported by this registry");
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw RegistryException.invalidSchema("Empty schema: the request has no \"schema\" string");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) { // SchemaParseException mostly; Avro throws others on odd input
            throw RegistryException.invalidSchema("Invalid schema: " + e.getMessage());
        }
        String canonical = schema.toString();
        cache(canonical, schema);
        return new ParsedSchema(schema, canonical);
    }

    /** A schema of the topic, parsed once. */
    private Schema stored(String canonical) {
        Schema schema = parsed.get(canonical);
        if (schema == null) {
            try {
                schema = new Schema.Parser().parse(canonical);
            } catch (RuntimeException e) {
                throw RegistryException.storeError("a stored schema does not parse: " + e.getMessage(), e);
            }
            cache(canonical, schema);
        }
        return schema;
    }

    private void cache(String canonical, Schema schema) {
        if (parsed.size() >= SCHEMA_CACHE_LIMIT) {
            parsed.clear(); // a crude bound: registries hold far fewer schemas
        }
        parsed.put(canonical, schema);
    }

    /** Empty for {@code latest} (and Confluent's {@code -1}). */
    private static OptionalInt parseVersion(String text) {
        if ("latest".equals(text) || "-1".equals(text)) {
            return OptionalInt.empty();
        }
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return OptionalInt.of(version);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw RegistryException.invalidVersion(text);
    }

    // --- routing

    @FunctionalInterface
    private interface Handler {
        CompletionStage<RegistryResponse> handle(Call call);
    }

    /** A path pattern: literal segments and {@code *} for one parameter. */
    private record Route(List<String> pattern, Map<String, Handler> handlers) {
        Optional<List<String>> match(List<String> segments) {
            if (segments.size() != pattern.size()) {
                return Optional.empty();
            }
            List<String> params = new ArrayList<>();
            for (int i = 0; i < pattern.size(); i++) {
                String expected = pattern.get(i);
                String actual = segments.get(i);
                if (expected.equals("*")) {
                    if (actual.isEmpty()) {
                        return Optional.empty();
                    }
                    params.add(actual);
                } else if (!expected.equals(actual)) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }
    }

    private void route(List<String> pattern, Map<String, Handler> handlers) {
        routes.add(new Route(pattern, handlers));
    }

    private record Call(List<String> params, Map<String, String> query, RegistryRequest request) {
        String param(int index) {
            return params.get(index);
        }

        boolean flag(String name) {
            return "true".equalsIgnoreCase(query.get(name));
        }

        JsonNode jsonBody() {
            String contentType = request.contentType();
            if (contentType != null && !contentType.isBlank()) {
                String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (!ACCEPTED_CONTENT_TYPES.contains(mediaType)) {
                    throw new RegistryException(415, 415, "HTTP 415 Unsupported Media Type: " + contentType);
                }
            }
            try {
                JsonNode node = JSON.readTree(request.body());
                if (node == null || !node.isObject()) {
                    throw new RegistryException(400, 400, "The request body must be a JSON object");
                }
                return node;
            } catch (JsonProcessingException e) {
                throw new RegistryException(400, 400, "Malformed JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new RegistryException(400, 400, "Unreadable request body: " + e.getMessage());
            }
        }
    }

    /** The decoded path segments, without empty ones at the ends. */
    private static List<String> segments(String rawPath) {
        String path = rawPath;
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        List<String> segments = new ArrayList<>();
        if (path.isEmpty()) {
            return segments;
        }
        for (String segment : path.split("/", -1)) {
            segments.add(decode(segment.replace("+", "%2B"))); // '+' is itself in a path
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "true" : decode(pair.substring(eq + 1));
            query.putIfAbsent(name, value);
        }
        return query;
    }

    private static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(400, 400, "Malformed percent-encoding: " + encoded);
        }
    }

    // --- responses

    private static CompletionStage<RegistryResponse> json(int status, JsonNode body) {
        return CompletableFuture.completedFuture(new RegistryResponse(status, write(body)));
    }

    /** A stored schema as the body itself (canonical JSON, as registered). */
    private static CompletionStage<RegistryResponse> raw(String schema) {
        return CompletableFuture.completedFuture(new RegistryResponse(200, schema));
    }

    private static JsonNode entryJson(SchemaEntry entry) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("subject", entry.subject());
        fields.put("version", entry.version());
        fields.put("id", entry.id());
        fields.put("schema", entry.schema());
        return JSON.valueToTree(fields);
    }

    static RegistryResponse errorResponse(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RegistryException e) {
            return error(e.status(), e.errorCode(), e.getMessage());
        }
        LOG.error("Schema registry request failed", cause);
        return error(500, 500, "Internal error: " + cause);
    }

    private static RegistryResponse error(int status, int errorCode, String message) {
        return new RegistryResponse(status, errorBody(errorCode, message));
    }

    private static String errorBody(int errorCode, String message) {
        return write(JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree always serializes
        }
    }
}
