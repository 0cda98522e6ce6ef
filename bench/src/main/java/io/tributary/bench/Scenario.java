package io.tributary.bench;

import java.util.Locale;

/**
 * Who publishes to whom in an end-to-end run with parameter N. Topics are under {@code prefix}
 * (default {@code bench}); every subscriber subscribes before any publisher starts.
 */
enum Scenario {
    /** N publishers on {@code bench/fanin/<i>}, one subscriber on {@code bench/fanin/+}. */
    FAN_IN("fan-in"),
    /** N pairs: publisher i on {@code bench/p2p/<i>}, subscriber i on the same topic. */
    P2P("p2p"),
    /** One publisher on {@code bench/fanout}, N subscribers on the same topic. */
    FAN_OUT("fan-out");

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    static Scenario parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Scenario s : values()) {
            if (s.label.equals(v) || s.label.replace("-", "").equals(v)) {
                return s;
            }
        }
        throw new IllegalArgumentException("--scenario must be fan-in, p2p or fan-out: " + value);
    }

    int publishers(int n) {
        return this == FAN_OUT ? 1 : n;
    }

    int subscribers(int n) {
        return this == FAN_IN ? 1 : n;
    }

    /** Topic pattern for {@link BenchConfig#topic(int)}: {@code {client}} is the publisher index. */
    String publishTopicPattern(String prefix) {
        return switch (this) {
            case FAN_IN -> prefix + "/fanin/{client}";
            case P2P -> prefix + "/p2p/{client}";
            case FAN_OUT -> prefix + "/fanout";
        };
    }

    String subscriptionFilter(String prefix, int subscriber) {
        return switch (this) {
            case FAN_IN -> prefix + "/fanin/+";
            case P2P -> prefix + "/p2p/" + subscriber;
            case FAN_OUT -> prefix + "/fanout";
        };
    }

    /** Whether {@code subscriber} should receive every message of {@code publisher}. */
    boolean expects(int subscriber, int publisher) {
        return switch (this) {
            case FAN_IN, FAN_OUT -> true;
            case P2P -> subscriber == publisher;
        };
    }

    /** Deliveries each published message should cause. */
    int deliveriesPerMessage(int n) {
        return this == FAN_OUT ? n : 1;
    }
}
