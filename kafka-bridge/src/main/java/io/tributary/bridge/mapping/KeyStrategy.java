package io.tributary.bridge.mapping;

/**
 * How a mapping rule derives the Kafka record key from a PUBLISH.
 * Written in configuration as {@code topic}, {@code client-id}, {@code level:N} (0-based topic level) or {@code none}.
 */
public sealed interface KeyStrategy {

    /** The key for a message on {@code mqttTopic} from {@code clientId}; null for no key. */
    String keyFor(String mqttTopic, String clientId);

    /** The whole MQTT topic (the default): all messages of one topic go to one partition, in order. */
    record Topic() implements KeyStrategy {
        @Override
        public String keyFor(String mqttTopic, String clientId) {
            return mqttTopic;
        }

        @Override
        public String toString() {
            return "topic";
        }
    }

    /** The publisher's client id: all messages of one device go to one partition. */
    record ClientId() implements KeyStrategy {
        @Override
        public String keyFor(String mqttTopic, String clientId) {
            return clientId;
        }

        @Override
        public String toString() {
            return "client-id";
        }
    }

    /** One level of the topic, e.g. {@code level:1} of {@code devices/d42/temp} is {@code d42}. */
    record Level(int index) implements KeyStrategy {
        public Level {
            if (index < 0) {
                throw new IllegalArgumentException("topic level index must be >= 0: " + index);
            }
        }

        @Override
        public String keyFor(String mqttTopic, String clientId) {
            int start = 0;
            for (int level = 0; level < index; level++) {
                int slash = mqttTopic.indexOf('/', start);
                if (slash < 0) {
                    return mqttTopic; // fewer levels than asked for: fall back to the whole topic
                }
                start = slash + 1;
            }
            int end = mqttTopic.indexOf('/', start);
            return end < 0 ? mqttTopic.substring(start) : mqttTopic.substring(start, end);
        }

        @Override
        public String toString() {
            return "level:" + index;
        }
    }

    /** No key. The partition is still chosen from the MQTT topic, so per-topic order holds. */
    record None() implements KeyStrategy {
        @Override
        public String keyFor(String mqttTopic, String clientId) {
            return null;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /** Parses the configuration form; the message of the exception names what is accepted. */
    static KeyStrategy parse(String text) {
        String t = text == null ? "" : text.trim();
        switch (t) {
            case "topic":
                return new Topic();
            case "client-id":
                return new ClientId();
            case "none":
                return new None();
            default:
                if (t.startsWith("level:")) {
                    try {
                        return new Level(Integer.parseInt(t.substring("level:".length())));
                    } catch (IllegalArgumentException e) {
                        // fall through to the error below
                    }
                }
                throw new IllegalArgumentException(
                        "invalid key '" + text + "': expected topic, client-id, none or level:N (N >= 0)");
        }
    }
}
