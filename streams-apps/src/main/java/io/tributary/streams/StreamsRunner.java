package io.tributary.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Kafka Streams app: builds its configuration, starts it and waits until it is RUNNING, so that a caller
 * (a standalone main, the broker's embedded default, a test) knows at once whether it works.
 */
public final class StreamsRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    static final String PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED = "processing.exception.handler.global.enabled";

    private final String applicationId;
    private final KafkaStreams streams;

    /** Counted down once the app is RUNNING or has stopped, whichever comes first. */
    private final CountDownLatch settled = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private StreamsRunner(String applicationId, KafkaStreams streams) {
        this.applicationId = applicationId;
        this.streams = streams;
        streams.setStateListener((now, before) -> {
            LOG.info("{}: {} -> {}", applicationId, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                settled.countDown();
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR
                    || now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.PENDING_SHUTDOWN) {
                settled.countDown();
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            // replacing the thread would fail the same way again: stop, visibly (state ERROR)
            failure.compareAndSet(null, e);
            LOG.error("{}: stream thread failed, stopping the app: {}", applicationId, e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /**
     * Starts {@code topology} as {@code applicationId} and returns once it is RUNNING.
     *
     * @param kafkaProperties Kafka Streams and client settings (at least {@code bootstrap.servers}); they override
     *                        the defaults of {@link #config}
     * @param stateDir        where the app keeps its local state ({@code state.dir})
     * @param startTimeout    how long to wait for RUNNING; zero returns at once (the app joins its group in the
     *                        background, and a failure is logged)
     * @throws IllegalStateException naming the app if it fails or is not RUNNING within {@code startTimeout}; the
     *                               app is closed then
     */
    public static StreamsRunner start(String applicationId, Topology topology, Map<String, Object> kafkaProperties,
            Path stateDir, Duration startTimeout) {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(startTimeout, "startTimeout");
        StreamsRunner runner = new StreamsRunner(applicationId,
                new KafkaStreams(topology, new StreamsConfig(config(applicationId, kafkaProperties, stateDir))));
        try {
            runner.streams.start();
        } catch (RuntimeException e) {
            runner.close();
            throw new IllegalStateException("Kafka Streams app " + applicationId + " cannot start: "
                    + rootMessage(e), e);
        }
        if (startTimeout.isZero()) {
            return runner;
        }
        boolean settled;
        try {
            settled = runner.settled.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.close();
            throw new IllegalStateException("interrupted while starting Kafka Streams app " + applicationId, e);
        }
        KafkaStreams.State state = runner.streams.state();
        if (settled && state == KafkaStreams.State.RUNNING) {
            return runner;
        }
        Throwable cause = runner.failure.get();
        String why = cause != null ? "failed: " + rootMessage(cause)
                : settled ? "stopped while starting (state " + state + ")"
                : "is not RUNNING after " + startTimeout + " (state " + state + "; is Kafka reachable?)";
        runner.close();
        throw new IllegalStateException("Kafka Streams app " + applicationId + " " + why, cause);
    }

    /**
     * The Streams configuration of an app: low-latency defaults for small machines, then {@code kafkaProperties}
     * on top, then the application id and state directory.
     */
    public static Map<String, Object> config(String applicationId, Map<String, Object> kafkaProperties,
            Path stateDir) {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Map<String, Object> config = new HashMap<>();
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // results (and state changelogs) leave at least every 100 ms instead of every 30 s
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 4L * 1024 * 1024);
        // silences a warning at every start; the constant is deprecated only because Kafka 5.0 makes it the default
        config.put(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true);
        // a record that does not decode (a foreign producer's) is logged and skipped, not fatal to the app
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
        if (kafkaProperties != null) {
            config.putAll(kafkaProperties);
        }
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        return config;
    }

    public String applicationId() {
        return applicationId;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Waits until the app has stopped, after {@link #close()} or a failure (state ERROR).
     *
     * @return the failure that stopped it, or null
     */
    public Throwable awaitStopped() throws InterruptedException {
        stopped.await();
        return failure.get();
    }

    /** Stops the app, waiting up to 30 s for it to commit and leave its group. */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /** Stops the app, waiting up to {@code timeout}. */
    public void close(Duration timeout) {
        // leave the group: a restarted instance is then given its tasks at once, not after the session timeout
        if (!streams.close(CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            LOG.warn("{}: not closed within {}", applicationId, timeout);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder message = new StringBuilder(String.valueOf(t.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !message.toString().contains(t.getMessage())) {
                message.append(": ").append(t.getMessage());
            }
        }
        return message.toString();
    }
}
