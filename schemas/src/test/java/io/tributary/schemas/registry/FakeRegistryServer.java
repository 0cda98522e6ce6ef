package io.tributary.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for a schema registry on 127.0.0.1: answers each {@code METHOD /path?query} with canned responses
 * (in turn; the last one again and again) and records every request. Unknown requests get a 404.
 */
final class FakeRegistryServer implements AutoCloseable {

    record Request(String method, String path, String body, Map<String, List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    record Response(int status, String body, Duration delay, Map<String, String> headers) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-registry");
        t.setDaemon(true);
        return t;
    });
    private final String basePath;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Response>> responses = new ConcurrentHashMap<>();

    private FakeRegistryServer(HttpServer server, String basePath) {
        this.server = server;
        this.basePath = basePath;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeRegistryServer start(String basePath) throws IOException {
        return new FakeRegistryServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), basePath);
    }

    static FakeRegistryServer startHttps(String basePath, SSLContext ssl) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new FakeRegistryServer(https, basePath);
    }

    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + basePath;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers {@code "METHOD /path"} (relative to the base path) with these responses in turn. */
    FakeRegistryServer on(String request, Response... answers) {
        Deque<Response> queue = new ArrayDeque<>(List.of(answers));
        responses.put(request, queue);
        return this;
    }

    FakeRegistryServer on(String request, int status, Object body) {
        return on(request, answer(status, body));
    }

    static Response answer(int status, Object body) {
        return new Response(status, body instanceof String s ? s : json(body), Duration.ZERO, Map.of());
    }

    static Response error(int status, int errorCode, String message) {
        return answer(status, Map.of("error_code", errorCode, "message", message));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<String> requestLines() {
        return requests.stream().map(r -> r.method() + " " + r.path()).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String path = raw.startsWith(basePath) ? raw.substring(basePath.length()) : "(outside base) " + raw;
            if (query != null) {
                path += "?" + query;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), path, body,
                    Map.copyOf(exchange.getRequestHeaders())));
            Response response = next(exchange.getRequestMethod() + " " + path);
            if (!response.delay().isZero()) {
                try {
                    Thread.sleep(response.delay().toMillis()); // a registry too slow to answer in time
                } catch (InterruptedException e) {
                    return;
                }
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE);
            response.headers().forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Response next(String request) {
        Deque<Response> queue = responses.get(request);
        if (queue == null) {
            return error(404, 404, "HTTP 404 Not Found: no canned answer for " + request);
        }
        synchronized (queue) {
            return queue.size() > 1 ? queue.poll() : queue.peek();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
