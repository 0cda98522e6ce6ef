package io.tributary.bench;

import java.util.Objects;

/**
 * One end-to-end run: the scenario, its N, the topic prefix, and the settings every connection
 * shares ({@code clients}: host, port, protocol, QoS, payload, phases, per-publisher rate, window,
 * drain timeout). {@code clients.publishers()} is the scenario's number of publishers, and its
 * topic pattern the scenario's publish topic.
 */
record E2eConfig(Scenario scenario, int n, String topicPrefix, String clientIdPrefix, BenchConfig clients) {

    E2eConfig {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(clients, "clients");
        if (n < 1) {
            throw new IllegalArgumentException("N must be >= 1: " + n);
        }
        if (topicPrefix.isEmpty() || topicPrefix.indexOf('+') >= 0 || topicPrefix.indexOf('#') >= 0) {
            throw new IllegalArgumentException("topic prefix must be non-empty without wildcards: " + topicPrefix);
        }
        if (clients.payloadBytes() < SequencedPayload.HEADER_BYTES) {
            throw new IllegalArgumentException("payload must be >= " + SequencedPayload.HEADER_BYTES
                    + " bytes (publisher, sequence number, send time): " + clients.payloadBytes());
        }
        if (clients.publishers() != scenario.publishers(n)) {
            throw new IllegalArgumentException("clients.publishers() must be " + scenario.publishers(n));
        }
    }

    int publishers() {
        return scenario.publishers(n);
    }

    int subscribers() {
        return scenario.subscribers(n);
    }

    String subscriberClientId(int index) {
        return clientIdPrefix + "sub-" + index;
    }

    String filter(int subscriber) {
        return scenario.subscriptionFilter(topicPrefix, subscriber);
    }

    /** Client id prefix of the publishers, for {@link BenchConfig#clientIdPrefix()}. */
    static String publisherPrefix(String clientIdPrefix) {
        return clientIdPrefix + "pub-";
    }
}
