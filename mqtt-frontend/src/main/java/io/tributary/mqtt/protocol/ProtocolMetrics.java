package io.tributary.mqtt.protocol;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the protocol layer; cheap to update from any event loop. */
public final class ProtocolMetrics {
    public final LongAdder connections = new LongAdder();
    public final LongAdder connectsRefused = new LongAdder();
    public final LongAdder publishesReceived = new LongAdder();
    public final LongAdder publishesAcknowledged = new LongAdder();
    public final LongAdder publishesFailed = new LongAdder();
    public final LongAdder qos2Duplicates = new LongAdder();
    public final LongAdder protocolViolations = new LongAdder();
    public final LongAdder pausedForBackPressure = new LongAdder();
}
