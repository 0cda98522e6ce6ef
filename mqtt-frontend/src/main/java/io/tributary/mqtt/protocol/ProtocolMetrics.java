package io.tributary.mqtt.protocol;

import io.tributary.mqtt.delivery.OutboundFlow;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the protocol layer; cheap to update from any event loop. */
public final class ProtocolMetrics implements OutboundFlow.Counters {
    public final LongAdder connections = new LongAdder();
    public final LongAdder connectsRefused = new LongAdder();
    public final LongAdder publishesReceived = new LongAdder();
    public final LongAdder publishesAcknowledged = new LongAdder();
    public final LongAdder publishesFailed = new LongAdder();
    public final LongAdder publishesInvalid = new LongAdder();
    public final LongAdder qos2Duplicates = new LongAdder();
    public final LongAdder protocolViolations = new LongAdder();
    public final LongAdder pausedForBackPressure = new LongAdder();
    public final LongAdder messagesSent = new LongAdder();
    public final LongAdder droppedQueueFull = new LongAdder();
    public final LongAdder droppedExpired = new LongAdder();
    public final LongAdder droppedTooLarge = new LongAdder();
    public final LongAdder sessionsResumed = new LongAdder();
    public final LongAdder messagesReplayed = new LongAdder();
    public final LongAdder messagesLostToRetention = new LongAdder();
    public final LongAdder slowSubscriberCatchUps = new LongAdder();
    public final LongAdder retainedSent = new LongAdder();

    @Override
    public void sent() {
        messagesSent.increment();
    }

    @Override
    public void queueFull() {
        droppedQueueFull.increment();
    }

    @Override
    public void expired() {
        droppedExpired.increment();
    }

    @Override
    public void tooLarge() {
        droppedTooLarge.increment();
    }
}
