package io.tributary.bench;

import io.tributary.bridge.topic.SubscriptionTree;

import java.util.Locale;

/**
 * Roughly how much heap a {@link SubscriptionTree} with N device subscriptions takes (the population of
 * {@link SubscriptionTreeBenchmark}): heap used after GC before and after building it. The device ids are
 * created first and reported apart, since a broker holds them in its sessions anyway.
 *
 * <pre>
 * java -Xmx2g -cp bench/target/benchmarks.jar io.tributary.bench.SubscriptionTreeHeap [devices]
 * </pre>
 */
public final class SubscriptionTreeHeap {

    private SubscriptionTreeHeap() {
    }

    public static void main(String[] args) {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long empty = usedAfterGc();
        String[] ids = SubscriptionTreeBenchmark.deviceIds(devices);
        long withIds = usedAfterGc();
        SubscriptionTree<String, Integer> tree = new SubscriptionTree<>();
        SubscriptionTreeBenchmark.populate(tree, ids);
        long withTree = usedAfterGc();
        double mib = 1024.0 * 1024.0;
        System.out.printf(Locale.ROOT, "subscriptions: %,d (%,d devices + %d wildcard)%n",
                tree.size(), devices, SubscriptionTreeBenchmark.WILDCARD_SUBSCRIPTIONS);
        System.out.printf(Locale.ROOT, "device ids:    %8.1f MiB%n", (withIds - empty) / mib);
        System.out.printf(Locale.ROOT, "tree:          %8.1f MiB (%.0f bytes per subscription)%n",
                (withTree - withIds) / mib, (double) (withTree - withIds) / tree.size());
        // keep both reachable until measured
        if (ids.length != devices || tree.size() == 0) {
            throw new AssertionError();
        }
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
