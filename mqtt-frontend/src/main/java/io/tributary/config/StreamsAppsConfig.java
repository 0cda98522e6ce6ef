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
 * @param analytics the analytics app
 * @param presence  the presence app
 * @param kafka     Kafka Streams and client properties passed through verbatim
 */
public record StreamsAppsConfig(Path stateDir, RetainedAppConfig retained, FanoutAppConfig fanout,
                                AnalyticsAppConfig analytics, PresenceAppConfig presence, Map<String, String> kafka) {

    public StreamsAppsConfig {
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(fanout, "fanout");
        Objects.requireNonNull(analytics, "analytics");
        Objects.requireNonNull(presence, "presence");
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

    /**
     * The analytics app (section {@code streams.analytics}).
     *
     * @param enabled      run it in this node
     * @param topicPrefix  its result topics are {@code <prefix>analytics.topics} and {@code <prefix>analytics.devices}
     * @param window       size of the tumbling windows
     * @param grace        how long a window still counts late messages
     * @param device       {@code level:N} (MQTT topic level N) or {@code client-id}
     * @param fields       comma-separated dotted paths of numeric JSON fields to summarise, or null
     * @param publishBack  publish each device's field results back into MQTT, retained, on
     *                     {@code $analytics/<device>/<field>}
     */
    public record AnalyticsAppConfig(boolean enabled, String topicPrefix, java.time.Duration window,
                                     java.time.Duration grace, String device, String fields, boolean publishBack) {
        public AnalyticsAppConfig {
            Objects.requireNonNull(topicPrefix, "topicPrefix");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(grace, "grace");
            Objects.requireNonNull(device, "device");
        }
    }

    /**
     * The presence app (section {@code streams.presence}).
     *
     * @param enabled run it in this node
     * @param topic   the compacted table of who is online, keyed by client id
     */
    public record PresenceAppConfig(boolean enabled, String topic) {
        public PresenceAppConfig {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** Secrets in the passthrough map are masked. */
    @Override
    public String toString() {
        return "StreamsAppsConfig[stateDir=" + stateDir + ", retained=" + retained + ", fanout=" + fanout
                + ", analytics=" + analytics + ", presence=" + presence + ", kafka="
                + Secrets.mask(kafka) + "]";
    }
}
