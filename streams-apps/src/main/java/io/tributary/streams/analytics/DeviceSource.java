package io.tributary.streams.analytics;

/**
 * Where the analytics app finds the device of a message: a level of its MQTT topic or the publisher's client id.
 * Written in settings as {@code level:N} (0-based, like the mapping rules' key strategy) or {@code client-id}.
 */
public sealed interface DeviceSource {

    /** The device of a message on {@code topic} from {@code clientId} (null if unknown), or null if it has none. */
    String deviceOf(String topic, String clientId);

    /** Topic level {@code index}, e.g. level 1 of {@code sensors/dev-1/temp} is {@code dev-1}. */
    record TopicLevel(int index) implements DeviceSource {

        public TopicLevel {
            if (index < 0) {
                throw new IllegalArgumentException("device: topic level must be >= 0, not " + index);
            }
        }

        /** Null when the topic has no such level or it is empty: such a message has no device. */
        @Override
        public String deviceOf(String topic, String clientId) {
            int start = 0;
            for (int level = 0; level < index; level++) {
                int slash = topic.indexOf('/', start);
                if (slash < 0) {
                    return null;
                }
                start = slash + 1;
            }
            int end = topic.indexOf('/', start);
            String device = end < 0 ? topic.substring(start) : topic.substring(start, end);
            return device.isEmpty() ? null : device;
        }

        @Override
        public String toString() {
            return "level:" + index;
        }
    }

    /** The {@code mqtt.client.id} header; records of other Kafka producers have none and so no device. */
    record ClientId() implements DeviceSource {

        @Override
        public String deviceOf(String topic, String clientId) {
            return clientId == null || clientId.isEmpty() ? null : clientId;
        }

        @Override
        public String toString() {
            return "client-id";
        }
    }

    /** Parses {@code level:N} or {@code client-id}; the exception's message says what is accepted. */
    public static DeviceSource parse(String text) {
        String t = text.trim();
        if (t.equals("client-id")) {
            return new ClientId();
        }
        if (t.startsWith("level:")) {
            try {
                return new TopicLevel(Integer.parseInt(t.substring("level:".length())));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("device: '" + text + "' is neither level:N (N >= 0) nor client-id");
    }
}
