package io.tributary.bridge.kafka;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer polled by one daemon thread until {@link #close}, for the node's readers that follow Kafka (the
 * message feeds, the retained view). An error a poll reports is logged and the poll retried after a pause, so the
 * thread never spins; the consumer is closed on the thread that used it.
 */
public final class PollingReader<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PollingReader.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final long ERROR_PAUSE_MS = 1000;

    private final org.apache.kafka.clients.consumer.Consumer<K, V> consumer;
    private final String name;
    private final Duration pollTimeout;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private Thread thread; // guarded by this

    /**
     * @param consumer     assigned by the caller before {@link #start}; closed by this reader
     * @param name         the thread's name, also what log lines say is being read
     * @param pollTimeout  the longest one poll waits
     */
    public PollingReader(org.apache.kafka.clients.consumer.Consumer<K, V> consumer, String name, Duration pollTimeout) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.name = Objects.requireNonNull(name, "name");
        this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    }

    /** The consumer, for setting it up before {@link #start} (on the caller's thread). */
    public org.apache.kafka.clients.consumer.Consumer<K, V> consumer() {
        return consumer;
    }

    /**
     * Starts the thread: every poll, empty ones included, goes to {@code onPoll} on it. An exception of
     * {@code onPoll} is logged and reading goes on.
     *
     * @throws IllegalStateException if it was started or closed before
     */
    public synchronized void start(Consumer<ConsumerRecords<K, V>> onPoll) {
        if (thread != null || closing.getCount() == 0) {
            throw new IllegalStateException(name + " was started or closed already");
        }
        thread = new Thread(() -> run(onPoll), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Consumer<ConsumerRecords<K, V>> onPoll) {
        try {
            while (closing.getCount() > 0) {
                ConsumerRecords<K, V> polled;
                try {
                    polled = consumer.poll(pollTimeout);
                } catch (WakeupException | InterruptException e) {
                    break;
                } catch (RuntimeException e) {
                    // e.g. not authorized, a corrupt record: nothing a retry right away would fix
                    LOG.error("{}: reading failed; retrying in {} ms", name, ERROR_PAUSE_MS, e);
                    if (closing.await(ERROR_PAUSE_MS, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    continue;
                }
                long bytes = 0;
                for (ConsumerRecord<K, V> record : polled) {
                    bytes += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
                }
                recordsRead.addAndGet(polled.count());
                bytesRead.addAndGet(bytes);
                try {
                    onPoll.accept(polled);
                } catch (RuntimeException e) {
                    LOG.error("{}: handling a poll of {} record(s) failed; reading on", name, polled.count(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("{} stopped", name, t);
            throw t;
        } finally {
            closeConsumer();
        }
    }

    /** Stops the thread (waiting up to 10 s for it) and closes the consumer. Idempotent. */
    @Override
    public void close() {
        Thread reader;
        synchronized (this) {
            if (closing.getCount() == 0) {
                return;
            }
            closing.countDown();
            reader = thread;
            if (reader == null) {
                closeConsumer(); // never started
                return;
            }
        }
        consumer.wakeup();
        try {
            reader.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            LOG.warn("{}: the thread did not end within {} (a listener blocking?)", name, CLOSE_TIMEOUT);
        }
    }

    /** Records read so far. */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** Key and value bytes of the records read so far (as stored in Kafka). */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** True while the thread runs. */
    public synchronized boolean isRunning() {
        return thread != null && thread.isAlive();
    }

    private void closeConsumer() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            LOG.warn("{}: closing the consumer failed", name, e);
        }
    }
}
