package io.tributary.config;

import java.util.Objects;

/**
 * The Prometheus endpoint (section {@code metrics}).
 *
 * @param host address the endpoint listens on
 * @param port TCP port of {@code http://host:port/metrics}; 0 turns the endpoint off
 */
public record MetricsConfig(String host, int port) {
    public MetricsConfig {
        Objects.requireNonNull(host, "host");
    }

    public boolean enabled() {
        return port > 0;
    }
}
