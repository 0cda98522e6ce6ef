package io.tributary.config;

import java.util.Objects;

/**
 * How messages reach the nodes (section {@code routing}).
 *
 * @param mode {@code broadcast}: every node reads every message topic; {@code routed}: the fan-out app routes each
 *             message to the nodes whose clients subscribed to it, and a node reads only its own partition of the
 *             deliveries topic
 */
public record RoutingConfig(String mode) {
    public RoutingConfig {
        Objects.requireNonNull(mode, "mode");
    }

    public boolean routed() {
        return mode.equals("routed");
    }
}
