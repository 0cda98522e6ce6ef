package io.tributary.streams.presence;

import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.ClientEventKind;
import io.tributary.schemas.analytics.Presence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps, per client id, the last event it accepted, and writes the presence table from it: a CONNECTED of a newer
 * connection puts the client online, a DISCONNECTED of the current (or a newer) connection takes it offline with a
 * tombstone, and an event of an older connection than the last accepted one is stale and ignored. So a takeover
 * across nodes, where the old connection's DISCONNECTED arrives after the new connection's CONNECTED, leaves the
 * client online.
 *
 * <p>An offline client's last event is kept for {@code forgetAfter} (wall-clock, from the event's time) so that late
 * events of its older connections are still recognised, then removed, so the state does not grow with every client
 * ever seen.
 */
final class PresenceTracker implements Processor<String, ClientEvent, String, Presence> {

    private final String storeName;
    private final Duration forgetAfter;
    private ProcessorContext<String, Presence> context;
    private KeyValueStore<String, ClientEvent> lastEvents;

    PresenceTracker(String storeName, Duration forgetAfter) {
        this.storeName = storeName;
        this.forgetAfter = forgetAfter;
    }

    @Override
    public void init(ProcessorContext<String, Presence> context) {
        this.context = context;
        this.lastEvents = context.getStateStore(storeName);
        Duration every = forgetAfter.dividedBy(2);
        if (every.compareTo(Duration.ofMinutes(10)) > 0) {
            every = Duration.ofMinutes(10);
        }
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::forgetOffline);
    }

    @Override
    public void process(Record<String, ClientEvent> record) {
        ClientEvent event = record.value();
        if (event == null) {
            return;
        }
        // the value names the client; the key only places it in a partition
        String clientId = event.getClientId();
        ClientEvent last = lastEvents.get(clientId);
        if (last != null && !supersedes(event, last)) {
            return;
        }
        lastEvents.put(clientId, event);
        Presence presence = event.getKind() == ClientEventKind.CONNECTED ? presenceOf(event) : null;
        context.forward(new Record<>(clientId, presence, record.timestamp()));
    }

    /**
     * Whether {@code event} changes what {@code last} says: a newer connection's event always does; of the same
     * connection only its DISCONNECTED after its CONNECTED does (a repeated event or a CONNECTED after the end of
     * its own connection does not).
     */
    static boolean supersedes(ClientEvent event, ClientEvent last) {
        if (event.getSessionEpoch() != last.getSessionEpoch()) {
            return event.getSessionEpoch() > last.getSessionEpoch();
        }
        return event.getKind() == ClientEventKind.DISCONNECTED && last.getKind() == ClientEventKind.CONNECTED;
    }

    static Presence presenceOf(ClientEvent connected) {
        return new Presence(connected.getClientId(), connected.getNodeId(), connected.getAt(),
                connected.getSessionEpoch(), connected.getUsername(), connected.getProtocolVersion(),
                connected.getRemoteAddress());
    }

    private void forgetOffline(long now) {
        long before = now - forgetAfter.toMillis();
        List<String> forget = new ArrayList<>();
        try (KeyValueIterator<String, ClientEvent> all = lastEvents.all()) {
            while (all.hasNext()) {
                KeyValue<String, ClientEvent> entry = all.next();
                ClientEvent event = entry.value;
                if (event.getKind() == ClientEventKind.DISCONNECTED && event.getAt().toEpochMilli() < before) {
                    forget.add(entry.key);
                }
            }
        }
        forget.forEach(lastEvents::delete);
    }
}
