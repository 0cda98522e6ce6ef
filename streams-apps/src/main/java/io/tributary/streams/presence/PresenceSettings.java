package io.tributary.streams.presence;

import io.tributary.streams.AppConfig;
import io.tributary.streams.SettingException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the presence app reads and writes (see docs/streams-apps.md for the settings).
 *
 * @param eventsTopic   connect and disconnect events of the broker nodes, keyed by client id
 * @param presenceTopic the compacted table of online clients, keyed by client id
 * @param forgetAfter   how long the epoch of an offline client is remembered, so that a late event of an older
 *                      connection is still recognised as stale; after that the client leaves the app's state
 */
public record PresenceSettings(String eventsTopic, String presenceTopic, Duration forgetAfter) {

    public static final String DEFAULT_PREFIX = "mqtt.";

    public PresenceSettings {
        Objects.requireNonNull(forgetAfter, "forget-offline-after");
        if (eventsTopic == null || eventsTopic.isBlank()) {
            throw new IllegalArgumentException("events-topic must not be blank");
        }
        if (presenceTopic == null || presenceTopic.isBlank()) {
            throw new IllegalArgumentException("presence-topic must not be blank");
        }
        if (eventsTopic.equals(presenceTopic)) {
            throw new IllegalArgumentException("events-topic and presence-topic must differ: " + eventsTopic);
        }
        if (forgetAfter.toMillis() < 1000) {
            throw new IllegalArgumentException("forget-offline-after must be at least 1s, not " + forgetAfter);
        }
    }

    /** {@code mqtt.events} to {@code mqtt.presence}; offline clients are forgotten after a day. */
    public static PresenceSettings defaults() {
        return withPrefix(DEFAULT_PREFIX);
    }

    public static PresenceSettings withPrefix(String prefix) {
        return new PresenceSettings(prefix + "events", prefix + "presence", Duration.ofDays(1));
    }

    /** The settings of a standalone app's config file, with the defaults of {@link #defaults()}. */
    public static PresenceSettings from(AppConfig config) {
        String prefix = config.string("topic-prefix", DEFAULT_PREFIX);
        PresenceSettings d = withPrefix(prefix);
        try {
            return new PresenceSettings(
                    config.string("events-topic", d.eventsTopic()),
                    config.string("presence-topic", d.presenceTopic()),
                    config.duration("forget-offline-after", d.forgetAfter()));
        } catch (IllegalArgumentException e) {
            throw new SettingException("invalid setting in " + config.source() + ": " + e.getMessage(), e);
        }
    }

    public PresenceSettings withForgetAfter(Duration duration) {
        return new PresenceSettings(eventsTopic, presenceTopic, duration);
    }
}
