package io.tributary.bridge.registry;

import java.util.Map;

/**
 * An HTTP response of the registry: a status and a JSON body (Content-Type
 * {@value SchemaRegistryService#CONTENT_TYPE}), plus any further headers (e.g. {@code Allow} of a 405).
 */
public record RegistryResponse(int status, String body, Map<String, String> headers) {

    public RegistryResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public RegistryResponse(int status, String body) {
        this(status, body, Map.of());
    }
}
