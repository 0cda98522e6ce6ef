package io.tributary.bench;

/**
 * The retained set of a {@link RetainedBench} run: message {@code i} (0-based) is retained on
 * {@code <prefix>/<i/1000>/<i>}, so that {@code <prefix>/#} matches all of them and
 * {@code <prefix>/<k>/+} the up to 1,000 of "bucket" k. Plain strings only (no Netty), so that
 * {@link RetainedIndexHeap} can use it from the JMH jar.
 *
 * <p>For the delivery accounting (a {@link DeliveryTracker} per subscriber) a bucket plays the part
 * of a publisher and the position within the bucket that of its sequence number.
 */
record RetainedTopics(String prefix, int count) {

    static final String DEFAULT_PREFIX = "bench/retained";
    static final int PER_BUCKET = 1000;

    RetainedTopics {
        if (prefix == null || prefix.isEmpty() || prefix.indexOf('+') >= 0 || prefix.indexOf('#') >= 0
                || prefix.endsWith("/")) {
            throw new IllegalArgumentException("topic prefix must be non-empty, without wildcards or a trailing '/': "
                    + prefix);
        }
        if (count < 1) {
            throw new IllegalArgumentException("--topics must be >= 1: " + count);
        }
    }

    String topic(int i) {
        return prefix + "/" + bucket(i) + "/" + i;
    }

    static int bucket(int i) {
        return i / PER_BUCKET;
    }

    static int position(int i) {
        return i % PER_BUCKET;
    }

    /** The message index of bucket {@code bucket}, position {@code position}. */
    static long index(int bucket, long position) {
        return (long) bucket * PER_BUCKET + position;
    }

    int buckets() {
        return (count + PER_BUCKET - 1) / PER_BUCKET;
    }

    /** Messages per bucket: what each "publisher" of the delivery accounting sent. */
    long[] bucketSizes() {
        long[] sizes = new long[buckets()];
        for (int b = 0; b < sizes.length; b++) {
            sizes[b] = Math.min(PER_BUCKET, count - (long) b * PER_BUCKET);
        }
        return sizes;
    }

    /** The index {@code topic} stands for, or -1 if it is not one of this set's topics. */
    int index(String topic) {
        if (!topic.startsWith(prefix) || topic.length() <= prefix.length() + 1 || topic.charAt(prefix.length()) != '/') {
            return -1;
        }
        String rest = topic.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return -1;
        }
        int bucket = parse(rest.substring(0, slash));
        int i = parse(rest.substring(slash + 1));
        return i >= 0 && i < count && bucket == bucket(i) ? i : -1;
    }

    private static int parse(String level) {
        if (level.isEmpty() || level.length() > 9 || (level.length() > 1 && level.charAt(0) == '0')) {
            return -1;
        }
        for (int c = 0; c < level.length(); c++) {
            if (level.charAt(c) < '0' || level.charAt(c) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(level);
    }

    /** Matches every topic of the set. */
    String allFilter() {
        return prefix + "/#";
    }

    /** Matches the topics of bucket {@code bucket} only. */
    String bucketFilter(int bucket) {
        return prefix + "/" + bucket + "/+";
    }

    /** First index of publisher {@code publisher} of {@code publishers}; they split the set into contiguous ranges. */
    int rangeStart(int publisher, int publishers) {
        return (int) ((long) count * publisher / publishers);
    }
}
