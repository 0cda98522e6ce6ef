package io.tributary.bridge.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * {@link RegistryLog} in memory, for tests without Kafka. Records go through the topic's encoding and back, so
 * the service is tested on what a reader of the topic would see.
 */
final class InMemoryRegistryLog implements RegistryLog {

    private final RegistryState state = new RegistryState();
    private final List<RegistryRecord> written = new ArrayList<>();

    @Override
    public RegistryState state() {
        return state;
    }

    @Override
    public synchronized <T> CompletionStage<T> append(Function<RegistryState, Plan<T>> planner) {
        try {
            Plan<T> plan = planner.apply(state);
            for (RegistryRecord record : plan.records()) {
                RegistryRecord read = RegistryRecords.decode(RegistryRecords.key(record), RegistryRecords.value(record))
                        .orElseThrow();
                written.add(read);
                state.apply(read);
            }
            return CompletableFuture.completedFuture(plan.result());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Every record written so far, in order. */
    synchronized List<RegistryRecord> written() {
        return List.copyOf(written);
    }
}
