package io.tributary.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The Kafka Streams apps a node runs in its own JVM (section {@code streams}).
 *
 * @param stateDir  where the apps keep local state; null: {@code <data-dir>/streams}
 * @param retained  the retained-state app
 * @param fanout    the fan-out app of routed mode
 * @param kafka     Kafka Streams and client properties passed through verbatim
 */
public record StreamsAppsConfig(Path stateDir, RetainedAppConfig retained, FanoutAppConfig fanout,
                                Map<String, String> kafka) {

    public StreamsAppsConfig {
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(fanout, "fanout");
        kafka = Secrets.sortedCopy(kafka);
    }

    /**
     * The retained-state app (section {@code streams.retained}).
     *
     * @param enabled              run it in this node
     * @param expiryCheckInterval  how often it removes retained messages whose Message Expiry passed
     */
    public record RetainedAppConfig(boolean enabled, java.time.Duration expiryCheckInterval) {
        public RetainedAppConfig {
            Objects.requireNonNull(expiryCheckInterval, "expiryCheckInterval");
        }
    }

    /**
     * The fan-out app (section {@code streams.fanout}).
     *
     * @param enabled run it in this node when {@code routing.mode} is {@code routed}
     */
    public record FanoutAppConfig(boolean enabled) {
    }

    /** Secrets in the passthrough map are masked. */
    @Override
    public String toString() {
        return "StreamsAppsConfig[stateDir=" + stateDir + ", retained=" + retained + ", fanout=" + fanout + ", kafka="
                + Secrets.mask(kafka) + "]";
    }
}
