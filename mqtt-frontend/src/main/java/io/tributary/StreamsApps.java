package io.tributary;

import io.tributary.streams.analytics.AnalyticsSettings;
import io.tributary.streams.presence.PresenceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Which Kafka Streams apps a node runs in its own JVM (each can also run on its own, see docs/streams-apps.md).
 * Every node that runs an app joins the same Streams application, so the nodes share its work.
 *
 * @param stateDir             where the apps keep their local state
 * @param retained             run the retained-state app
 * @param retainedExpiryCheck  how often it looks for retained messages whose Message Expiry passed
 * @param fanout               run the fan-out app (used in routed mode only)
 * @param analytics            the analytics app's settings, or null not to run it; the node reads its own
 *                             message topics
 * @param presence             the presence app's settings, or null not to run it; the node's events topic is
 *                             read
 * @param kafka                Kafka Streams and client properties on top of the bootstrap servers
 */
public record StreamsApps(Path stateDir, boolean retained, Duration retainedExpiryCheck, boolean fanout,
                          AnalyticsSettings analytics, PresenceSettings presence, Map<String, String> kafka) {

    public StreamsApps {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(retainedExpiryCheck, "retainedExpiryCheck");
        kafka = Map.copyOf(kafka);
    }

    /** No app runs in the node. */
    public static StreamsApps none(Path stateDir) {
        return new StreamsApps(stateDir, false, Duration.ofSeconds(1), false, null, null, Map.of());
    }
}
