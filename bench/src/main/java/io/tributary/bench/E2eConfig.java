package io.tributary.bench;

import java.util.Objects;

/**
 * One end-to-end run: the scenario, its N, the topic prefix, the settings every connection shares
 * ({@code clients}: host, port, protocol, QoS, payload, phases, per-publisher rate, window, drain
 * timeout), and which port each client connects to ({@code ports}; all on {@code clients.port()}
 * unless spread over several nodes). {@code clients.publishers()} is the scenario's number of
 * publishers, and its topic pattern the scenario's publish topic.
 */
record E2eConfig(Scenario scenario, int n, String topicPrefix, String clientIdPrefix, BenchConfig clients,
                 ClientPorts ports) {

    E2eConfig {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(ports, "ports");
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

    /** Every client on {@code clients.port()}. */
    E2eConfig(Scenario scenario, int n, String topicPrefix, String clientIdPrefix, BenchConfig clients) {
        this(scenario, n, topicPrefix, clientIdPrefix, clients, ClientPorts.single(clients.port()));
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
