package io.tributary.bridge.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry in-process, for the embedded default: Avro schemas, the REST subset
 * clients use ({@link SchemaRegistryService} lists the endpoints), stored in a compacted Kafka topic like the
 * real registries do, served by the JDK's HTTP server on 127.0.0.1:8081 by default.
 *
 * <p>Several instances may share one topic (one per Tributary node): each reads the whole topic at start and
 * follows it, and writes go through Kafka (see {@link KafkaRegistryLog}: one writer at a time, by transactional
 * fencing), so ids and versions are handed out once and every instance converges. A registration is answered
 * once its record is acknowledged and read back.
 *
 * <h2>The schemas topic</h2>
 * One partition (ids are handed out in its order), {@code cleanup.policy=compact}, UTF-8 JSON keys and values,
 * modelled on Confluent's {@code _schemas} topic. Keys are written with this exact field order, since compaction
 * compares key bytes; readers accept any order and skip key types they do not know.
 * <table>
 * <caption>Records</caption>
 * <tr><th>Key</th><th>Value</th><th>Meaning</th></tr>
 * <tr><td>{@code {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}}</td>
 *     <td>{@code {"subject":"s","version":1,"id":3,"schema":"<canonical Avro JSON>","deleted":false}}</td>
 *     <td>a version of a subject; written again with {@code "deleted":true} when soft-deleted</td></tr>
 * <tr><td>same</td><td>null (tombstone)</td><td>the version was permanently deleted</td></tr>
 * <tr><td>{@code {"keytype":"CONFIG","subject":null,"magic":0}}</td>
 *     <td>{@code {"compatibilityLevel":"BACKWARD"}}</td><td>the global compatibility level</td></tr>
 * <tr><td>{@code {"keytype":"CONFIG","subject":"s","magic":0}}</td>
 *     <td>{@code {"compatibilityLevel":"FULL"}} or null</td><td>a subject's own level; null: removed</td></tr>
 * <tr><td>{@code {"keytype":"ID_HIGH_WATERMARK","magic":0}}</td><td>{@code {"highestId":3}}</td>
 *     <td>the highest id handed out, written with each new id so that no id is reused after a permanent
 *     delete</td></tr>
 * </table>
 * The schema text is Avro's canonical JSON of the schema ({@code Schema.toString()}): the same text has the same
 * id in every subject. Ids start at 1; versions of a subject start at 1 and follow its highest version, soft-deleted
 * ones included. Records of one request (e.g. a subject's versions soft-deleted together) are written in one
 * Kafka transaction; the topic is read {@code read_committed}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    /** Larger bodies are refused with 413: Avro schemas are kilobytes. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final int HTTP_THREADS = 4;

    private final SchemaRegistrySettings settings;
    private HttpServer server;
    private ExecutorService executor;
    private KafkaRegistryLog log;

    public EmbeddedSchemaRegistry(SchemaRegistrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Binds the port, creates the schemas topic if missing, reads it to its end and starts serving.
     *
     * @return this
     * @throws IllegalStateException naming the port or the topic if either cannot be used
     */
    public synchronized EmbeddedSchemaRegistry start() {
        if (server != null) {
            throw new IllegalStateException("the schema registry was started already");
        }
        HttpServer bound;
        try {
            // bind first: a taken port fails at once, not after reading Kafka
            bound = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the schema registry cannot listen on " + settings.host() + ":"
                    + settings.port() + " (schema-registry port): " + e.getMessage(), e);
        }
        KafkaRegistryLog started = null;
        try {
            started = new KafkaRegistryLog(settings);
            started.start();
        } catch (RuntimeException e) {
            bound.stop(0);
            if (started != null) {
                started.close();
            }
            throw e;
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            Thread t = new Thread(r, "tributary-schema-registry-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SchemaRegistryService service = new SchemaRegistryService(started);
        bound.createContext("/", exchange -> handle(service, exchange, pool));
        bound.setExecutor(pool);
        bound.start();
        this.log = started;
        this.executor = pool;
        this.server = bound;
        LOG.info("Schema registry listening on {} (topic '{}')", url(), settings.topic());
        return this;
    }

    /** The port it listens on (the chosen one when the settings say 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the schema registry is not started");
        }
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, what clients are given as {@code schema.registry.url}. */
    public String url() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return "http://" + host + ":" + port();
    }

    /** Its state, as read from the topic (for diagnostics and tests). */
    public synchronized RegistryState state() {
        if (log == null) {
            throw new IllegalStateException("the schema registry is not started");
        }
        return log.state();
    }

    private static void handle(SchemaRegistryService service, HttpExchange exchange, ExecutorService pool) {
        try {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                respond(exchange, new RegistryResponse(413, "{\"error_code\":413,\"message\":\"The request body is"
                        + " larger than " + MAX_BODY_BYTES + " bytes\"}"));
                return;
            }
            URI uri = exchange.getRequestURI();
            RegistryRequest request = new RegistryRequest(exchange.getRequestMethod(), uri.getRawPath(),
                    uri.getRawQuery(), exchange.getRequestHeaders().getFirst("Content-Type"), body);
            // writes complete on the Kafka writer thread: answer from the HTTP pool, not from there
            service.handle(request).whenCompleteAsync((response, failure) -> respond(exchange,
                    response != null ? response : SchemaRegistryService.errorResponse(failure)), pool);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Schema registry request failed", e);
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, RegistryResponse response) {
        try (exchange) {
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", SchemaRegistryService.CONTENT_TYPE);
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
            exchange.sendResponseHeaders(response.status(), head || bytes.length == 0 ? -1 : bytes.length);
            if (!head && bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot answer a schema registry request (client gone?)", e);
        }
    }

    /** Stops serving, then stops reading and writing Kafka. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        int port = server.getAddress().getPort();
        server.stop(0);
        executor.shutdownNow();
        log.close();
        LOG.info("Schema registry on port {} stopped", port);
        server = null;
        executor = null;
        log = null;
    }
}
