package io.tributary.mqtt.session;

import io.tributary.bridge.publish.MessagePublisher;
import io.tributary.bridge.session.SessionState;
import io.tributary.bridge.session.SessionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks after the offline sessions this node is {@link SessionStore#responsibleFor responsible} for, whichever node
 * held their connection (DESIGN.md, wills and session expiry after a node crash): publishes a Will Message when its
 * Will Delay Interval has passed or the session ended, whichever is first (MQTT-3.1.3-9), and removes a session
 * from Kafka once it has expired (a tombstone). A client that comes back in time makes a newer claim, and the
 * store no longer counts its session as offline.
 *
 * <p>One daemon thread that looks every {@code tick}; a will is published at most a tick late.
 */
public final class SessionTimers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionTimers.class);

    private final SessionStore sessions;
    private final MessagePublisher publisher;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    /** Wills published and not yet gone from the store's view (its write is under way): by client, ended at. */
    private final Map<String, Long> published = new ConcurrentHashMap<>();
    public final LongAdder willsPublished = new LongAdder();
    public final LongAdder sessionsExpired = new LongAdder();

    public SessionTimers(SessionStore sessions, MessagePublisher publisher, LongSupplier clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tributary-session-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start(Duration tick) {
        long millis = tick.toMillis();
        timer.scheduleWithFixedDelay(this::run, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One look at the offline sessions; public for tests. */
    public void run() {
        try {
            long now = clock.getAsLong();
            Map<String, Long> stillPending = new HashMap<>();
            for (SessionStore.OfflineSession offline : sessions.offlineSessions()) {
                SessionState state = offline.state();
                if (state.endedAtMs() != null && sessions.responsibleFor(state.clientId())) {
                    look(offline.epoch(), state, now, stillPending);
                }
            }
            published.keySet().retainAll(stillPending.keySet());
        } catch (RuntimeException e) {
            log.warn("Looking after offline sessions failed; trying again", e);
        }
    }

    private void look(long epoch, SessionState state, long now, Map<String, Long> stillPending) {
        String clientId = state.clientId();
        boolean expired = state.expiredAt(now);
        SessionState.StoredWill will = state.will();
        if (will != null && (expired || now >= state.endedAtMs() + will.delaySeconds() * 1000)) {
            stillPending.put(clientId, state.endedAtMs());
            if (state.endedAtMs().equals(published.putIfAbsent(clientId, state.endedAtMs()))) {
                return; // published; the store has not read back the state without it yet
            }
            publisher.publish(will.message()).whenComplete((ack, failure) -> {
                if (failure != null) {
                    published.remove(clientId); // again at the next tick
                    log.warn("client '{}': its will on '{}' did not reach Kafka: {}", clientId,
                            will.message().topic(), failure.toString());
                    return;
                }
                willsPublished.increment();
                if (expired) {
                    expire(clientId);
                } else {
                    sessions.save(epoch, state.withoutWill());
                }
            });
            return;
        }
        if (expired) {
            expire(clientId);
        }
    }

    private void expire(String clientId) {
        log.debug("client '{}': its session expired", clientId);
        sessions.remove(clientId);
        sessionsExpired.increment();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
