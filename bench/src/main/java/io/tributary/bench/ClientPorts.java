package io.tributary.bench;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which broker port each end-to-end client connects to, so that one run can spread its clients over
 * several nodes of a cluster: publisher {@code i} on {@code publisherPorts[i % size]}, subscriber
 * {@code i} on {@code subscriberPorts[i % size]} (round robin). One port for everything is the
 * ordinary single-broker run.
 */
record ClientPorts(List<Integer> publisherPorts, List<Integer> subscriberPorts) {

    ClientPorts {
        publisherPorts = check(publisherPorts, "publisher");
        subscriberPorts = check(subscriberPorts, "subscriber");
    }

    /** Every client on {@code port}. */
    static ClientPorts single(int port) {
        return new ClientPorts(List.of(port), List.of(port));
    }

    /** {@code publishers} and {@code subscribers} as given; null or empty means {@code port} alone. */
    static ClientPorts of(int port, List<Integer> publishers, List<Integer> subscribers) {
        return new ClientPorts(orElse(publishers, port), orElse(subscribers, port));
    }

    int publisherPort(int index) {
        return publisherPorts.get(index % publisherPorts.size());
    }

    int subscriberPort(int index) {
        return subscriberPorts.get(index % subscriberPorts.size());
    }

    /** Position in {@link #subscriberPorts()} that subscriber {@code index} is assigned to. */
    int subscriberSlot(int index) {
        return index % subscriberPorts.size();
    }

    /** True when every client goes to one and the same port (the run reports as it always did). */
    boolean isSingle() {
        return publisherPorts.size() == 1 && subscriberPorts.equals(publisherPorts);
    }

    /** How many of {@code clients} clients round robin puts on each of {@code ports} ports. */
    static int[] spread(int clients, int ports) {
        int[] counts = new int[ports];
        for (int i = 0; i < clients; i++) {
            counts[i % ports]++;
        }
        return counts;
    }

    /** "1883,1884" */
    static String text(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static List<Integer> orElse(List<Integer> ports, int port) {
        return ports == null || ports.isEmpty() ? List.of(port) : ports;
    }

    private static List<Integer> check(List<Integer> ports, String role) {
        Objects.requireNonNull(ports, role + " ports");
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("no " + role + " port given");
        }
        for (Integer p : ports) {
            if (p == null || p < 1 || p > 65535) {
                throw new IllegalArgumentException(role + " port must be 1..65535: " + p);
            }
        }
        return List.copyOf(ports);
    }
}
