package io.tributary.bridge.registry;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Where the registry's writes go and come back from: {@link KafkaRegistryLog} in the schemas topic. A write is
 * decided on a state that holds every record written before it, by any registry instance on the topic, and
 * answered once its records are in that state, so that ids and versions are handed out once.
 */
public interface RegistryLog {

    /**
     * What a write decided.
     *
     * @param records  to append, all or none; empty when nothing needs writing (e.g. a schema registered again)
     * @param result   the answer, valid once the records are applied
     */
    record Plan<T>(List<RegistryRecord> records, T result) {
        public Plan {
            records = List.copyOf(records);
        }

        /** Nothing to write: the answer is already true. */
        public static <T> Plan<T> answer(T result) {
            return new Plan<>(List.of(), result);
        }

        public static <T> Plan<T> write(T result, RegistryRecord... records) {
            return new Plan<>(List.of(records), Objects.requireNonNull(result, "result"));
        }
    }

    /** The state the log's records are applied to, read by the registry's queries. */
    RegistryState state();

    /**
     * Runs {@code planner} on a state that holds every record written so far, appends what it returns, and
     * completes with its result once those records are applied to {@link #state()}. Completes exceptionally with
     * the planner's {@link RegistryException}, or with one of status 500 when the log cannot be written.
     */
    <T> CompletionStage<T> append(Function<RegistryState, Plan<T>> planner);
}
