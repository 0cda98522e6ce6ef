package io.tributary.bridge.registry;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An HTTP request as the registry sees it.
 *
 * @param method       GET, POST, ...
 * @param rawPath      the path, still percent-encoded (a subject may contain an encoded {@code /})
 * @param rawQuery     the query string, still encoded; null if none
 * @param contentType  the Content-Type header, null if none
 * @param body         the request body, empty if none
 */
public record RegistryRequest(String method, String rawPath, String rawQuery, String contentType, byte[] body) {

    public RegistryRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(rawPath, "rawPath");
        body = body == null ? new byte[0] : body;
    }

    public static RegistryRequest get(String pathAndQuery) {
        return of("GET", pathAndQuery, null);
    }

    public static RegistryRequest delete(String pathAndQuery) {
        return of("DELETE", pathAndQuery, null);
    }

    public static RegistryRequest post(String pathAndQuery, String json) {
        return of("POST", pathAndQuery, json);
    }

    public static RegistryRequest put(String pathAndQuery, String json) {
        return of("PUT", pathAndQuery, json);
    }

    /** A request with a JSON body (null for none) of Confluent's content type. */
    public static RegistryRequest of(String method, String pathAndQuery, String json) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        return new RegistryRequest(method, path, query, json == null ? null : SchemaRegistryService.CONTENT_TYPE,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }
}
