package io.tributary.bridge.topic;

import io.tributary.bridge.mapping.TopicFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubscriptionTreeTest {

    private final SubscriptionTree<String, Integer> tree = new SubscriptionTree<>();

    /** True if a tree holding only {@code filter} delivers {@code topic} to it. */
    private static boolean matches(String filter, String topic) {
        SubscriptionTree<String, Integer> single = new SubscriptionTree<>();
        single.put(filter, "s", 1);
        List<String> visited = new ArrayList<>();
        single.match(topic, (subscriber, value) -> visited.add(subscriber));
        assertThat(visited).as("visits of %s for %s", filter, topic).hasSizeLessThanOrEqualTo(1);
        return !visited.isEmpty();
    }

    /** The "subscriber=value" pairs {@link #tree} visits for {@code topic}, sorted. */
    private List<String> matched(String topic) {
        List<String> visited = new ArrayList<>();
        tree.match(topic, (subscriber, value) -> visited.add(subscriber + "=" + value));
        visited.sort(null);
        return visited;
    }

    // --- matching rules ---

    @Test
    void literalFiltersMatchOnlyTheSameTopic() {
        assertThat(matches("sport/tennis/player1", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/tennis/player1", "sport/tennis/player2")).isFalse();
        assertThat(matches("sport/tennis/player1", "sport/tennis")).isFalse();
        assertThat(matches("sport/tennis", "sport/tennis/player1")).isFalse();
        assertThat(matches("sport", "Sport")).isFalse(); // case-sensitive
        assertThat(matches("a b", "a b")).isTrue(); // spaces are ordinary characters
    }

    @Test
    void plusMatchesExactlyOneLevel() {
        assertThat(matches("sport/+/player1", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/+/player1", "sport/tennis/player2")).isFalse();
        assertThat(matches("sport/+/player1", "sport/player1")).isFalse();
        assertThat(matches("sport/+/player1", "sport/a/b/player1")).isFalse();
        assertThat(matches("+", "a")).isTrue();
        assertThat(matches("+", "a/b")).isFalse();
        assertThat(matches("+/+/+", "a/b/c")).isTrue();
        assertThat(matches("+/b/+", "a/b/c")).isTrue();
        assertThat(matches("+/b/+", "a/x/c")).isFalse();
    }

    @Test
    void plusMatchesAnEmptyLevel() {
        assertThat(matches("a/+", "a/")).isTrue();
        assertThat(matches("+/a", "/a")).isTrue();
        assertThat(matches("a/+/b", "a//b")).isTrue();
        assertThat(matches("a/+", "a")).isFalse();
    }

    @Test
    void hashMatchesTheParentAndAnyNumberOfLevelsBelow() {
        assertThat(matches("a/#", "a")).isTrue();
        assertThat(matches("a/#", "a/")).isTrue();
        assertThat(matches("a/#", "a/b")).isTrue();
        assertThat(matches("a/#", "a/b/c")).isTrue();
        assertThat(matches("a/#", "b")).isFalse();
        assertThat(matches("a/#", "ab")).isFalse();
        assertThat(matches("a/+/#", "a")).isFalse();
        assertThat(matches("a/+/#", "a/b")).isTrue();
        assertThat(matches("+/#", "a")).isTrue();
        assertThat(matches("#", "a")).isTrue();
        assertThat(matches("#", "a/b/c")).isTrue();
        assertThat(matches("#", "/")).isTrue();
    }

    @Test
    void emptyLevelsAreRealLevels() {
        assertThat(matches("a//b", "a//b")).isTrue();
        assertThat(matches("a//b", "a/b")).isFalse();
        assertThat(matches("a/b", "a//b")).isFalse();
        assertThat(matches("/a", "/a")).isTrue();
        assertThat(matches("/a", "a")).isFalse();
        assertThat(matches("a", "/a")).isFalse();
        assertThat(matches("a/", "a/")).isTrue();
        assertThat(matches("a/", "a")).isFalse();
        assertThat(matches("/", "/")).isTrue();
        assertThat(matches("//#", "//")).isTrue();
    }

    @Test
    void filtersStartingWithAWildcardDoNotMatchDollarTopics() {
        // MQTT-4.7.2-1
        assertThat(matches("#", "$SYS")).isFalse();
        assertThat(matches("#", "$SYS/broker/load")).isFalse();
        assertThat(matches("+/#", "$SYS/broker")).isFalse();
        assertThat(matches("+", "$SYS")).isFalse();
        assertThat(matches("$SYS/#", "$SYS/x")).isTrue();
        assertThat(matches("$SYS/#", "$SYS")).isTrue();
        assertThat(matches("$SYS/+", "$SYS/x")).isTrue();
        // only the first character of the topic counts
        assertThat(matches("#", "a/$SYS")).isTrue();
        assertThat(matches("a/+", "a/$x")).isTrue();
    }

    /** MQTT 3.1.1 section 4.7.1.2, "Multi-level wildcard". */
    @Test
    void specExamplesOfTheMultiLevelWildcard() {
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1/ranking")).isTrue();
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon")).isTrue();
        assertThat(matches("sport/#", "sport")).isTrue();
        // "#" alone receives every message
        assertThat(matches("#", "sport/tennis/player1")).isTrue();
    }

    /** MQTT 3.1.1 section 4.7.1.3, "Single level wildcard". */
    @Test
    void specExamplesOfTheSingleLevelWildcard() {
        assertThat(matches("sport/tennis/+", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/tennis/+", "sport/tennis/player2")).isTrue();
        assertThat(matches("sport/tennis/+", "sport/tennis/player1/ranking")).isFalse();
        assertThat(matches("sport/+", "sport")).isFalse();
        assertThat(matches("sport/+", "sport/")).isTrue();
        assertThat(matches("+/+", "/finance")).isTrue();
        assertThat(matches("/+", "/finance")).isTrue();
        assertThat(matches("+", "/finance")).isFalse();
    }

    /** MQTT 3.1.1 section 4.7.2, "Topics beginning with $". */
    @Test
    void specExamplesOfDollarTopics() {
        assertThat(matches("#", "$SYS/monitor/Clients")).isFalse();
        assertThat(matches("+/monitor/Clients", "$SYS/monitor/Clients")).isFalse();
        assertThat(matches("$SYS/#", "$SYS/monitor/Clients")).isTrue();
        assertThat(matches("$SYS/monitor/+", "$SYS/monitor/Clients")).isTrue();
    }

    @Test
    void everyMatchingFilterIsVisitedOncePerSubscriber() {
        tree.put("a/b", "alice", 1);
        tree.put("a/+", "alice", 2);
        tree.put("a/#", "alice", 3);
        tree.put("#", "bob", 4);
        tree.put("a/c", "carol", 5);
        tree.put("+/+/+", "dave", 6);

        assertThat(matched("a/b")).containsExactly("alice=1", "alice=2", "alice=3", "bob=4");
        assertThat(matched("a")).containsExactly("alice=3", "bob=4");
        assertThat(matched("a/b/c")).containsExactly("alice=3", "bob=4", "dave=6");
        assertThat(matched("$a/b/c")).isEmpty();
    }

    // --- put, replace, remove, get, size ---

    @Test
    void putGetReplaceRemove() {
        assertThat(tree.size()).isZero();
        assertThat(tree.put("a/+", "alice", 1)).isNull();
        assertThat(tree.put("a/+", "bob", 2)).isNull();
        assertThat(tree.put("a/#", "alice", 3)).isNull();
        assertThat(tree.size()).isEqualTo(3);

        assertThat(tree.get("a/+", "alice")).isEqualTo(1);
        assertThat(tree.get("a/+", "carol")).isNull();
        assertThat(tree.get("a", "alice")).isNull();
        assertThat(tree.get("a/b", "alice")).isNull();

        assertThat(tree.put("a/+", "alice", 10)).isEqualTo(1);
        assertThat(tree.size()).isEqualTo(3);
        assertThat(tree.get("a/+", "alice")).isEqualTo(10);
        assertThat(matched("a/x")).containsExactly("alice=10", "alice=3", "bob=2");

        assertThat(tree.remove("a/+", "alice")).isEqualTo(10);
        assertThat(tree.remove("a/+", "alice")).isNull();
        assertThat(tree.remove("x/y/z", "alice")).isNull();
        assertThat(tree.size()).isEqualTo(2);
        assertThat(tree.get("a/+", "alice")).isNull();
        assertThat(matched("a/x")).containsExactly("alice=3", "bob=2");
    }

    @Test
    void rejectsInvalidFilters() {
        for (String filter : new String[] {"", "a#", "a/#/b", "a+", "a/+b"}) {
            assertThatThrownBy(() -> tree.put(filter, "s", 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid topic filter");
        }
        assertThatThrownBy(() -> tree.put(null, "s", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.put("a", null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> tree.put("a", "s", null)).isInstanceOf(NullPointerException.class);
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void manySubscribersOfOneFilterGrowIntoAMapAndShrinkBack() {
        int count = 1_000;
        for (int i = 0; i < count; i++) {
            tree.put("a/+", "s" + i, i);
        }
        assertThat(tree.size()).isEqualTo(count);
        assertThat(matched("a/b")).hasSize(count);
        assertThat(tree.get("a/+", "s567")).isEqualTo(567);
        assertThat(tree.put("a/+", "s567", -1)).isEqualTo(567);

        for (int i = 0; i < count - 2; i++) {
            assertThat(tree.remove("a/+", "s" + i)).as("s%d", i).isNotNull();
        }
        assertThat(matched("a/b")).containsExactly("s998=998", "s999=999");
        assertThat(tree.put("a/+", "s999", 0)).isEqualTo(999);
        assertThat(tree.remove("a/+", "s998")).isEqualTo(998);
        assertThat(tree.remove("a/+", "s999")).isEqualTo(0);
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void manyChildrenOfOneLevelGrowIntoAMapAndShrinkBack() {
        int count = 1_000;
        for (int i = 0; i < count; i++) {
            tree.put("devices/" + i + "/commands", "d" + i, i);
        }
        assertThat(tree.nodeCount()).isEqualTo(1 + 2 * count);
        assertThat(matched("devices/123/commands")).containsExactly("d123=123");
        assertThat(matched("devices/1234/commands")).isEmpty();
        for (int i = 3; i < count; i++) {
            tree.remove("devices/" + i + "/commands", "d" + i);
        }
        assertThat(tree.nodeCount()).isEqualTo(1 + 2 * 3);
        assertThat(matched("devices/2/commands")).containsExactly("d2=2");
        assertThat(matched("devices/3/commands")).isEmpty();

        // down to a single child and up again
        tree.remove("devices/0/commands", "d0");
        tree.remove("devices/2/commands", "d2");
        assertThat(tree.nodeCount()).isEqualTo(1 + 2);
        assertThat(matched("devices/1/commands")).containsExactly("d1=1");
        assertThat(matched("devices/2/commands")).isEmpty();
        tree.put("devices/2/commands", "d2", 2);
        assertThat(matched("devices/1/commands")).containsExactly("d1=1");
        assertThat(matched("devices/2/commands")).containsExactly("d2=2");
        tree.remove("devices/1/commands", "d1");
        tree.remove("devices/2/commands", "d2");
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void aMapOfChildrenShrinksBackToOneChild() {
        for (int i = 0; i < 20; i++) {
            tree.put("a/" + i, "s", i);
        }
        for (int i = 19; i > 0; i--) {
            tree.remove("a/" + i, "s");
            assertThat(matched("a/0")).containsExactly("s=0");
        }
        assertThat(matched("a/0")).containsExactly("s=0");
        assertThat(tree.nodeCount()).isEqualTo(2);
    }

    // --- pruning ---

    @Test
    void removingEverythingLeavesNoNodes() {
        String[] filters = {"a", "a/b", "a/b/c", "a/+/c", "a/#", "#", "+", "/", "//", "a//b", "$SYS/#", "x/y/z/w"};
        for (String filter : filters) {
            tree.put(filter, "s1", 1);
            tree.put(filter, "s2", 2);
        }
        assertThat(tree.nodeCount()).isPositive();
        for (String filter : filters) {
            tree.remove(filter, "s1");
        }
        assertThat(tree.size()).isEqualTo(filters.length);
        for (String filter : filters) {
            tree.remove(filter, "s2");
        }
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
        assertThat(matched("a/b/c")).isEmpty();
    }

    @Test
    void pruningStopsAtANodeThatIsStillInUse() {
        tree.put("a/b", "s", 1);
        tree.put("a/b/c/d", "s", 2);
        assertThat(tree.nodeCount()).isEqualTo(4);
        tree.remove("a/b/c/d", "s");
        assertThat(tree.nodeCount()).isEqualTo(2); // a, a/b
        tree.put("a/x", "s", 3);
        tree.remove("a/b", "s");
        assertThat(tree.nodeCount()).isEqualTo(2); // a, a/x
        tree.remove("a/x", "s");
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void aNodeWithOnlyChildrenIsKeptUntilTheyGo() {
        tree.put("a", "s", 1);
        tree.put("a/+", "s", 2);
        tree.put("a/#", "s", 3);
        tree.remove("a", "s");
        assertThat(tree.nodeCount()).isEqualTo(3);
        assertThat(matched("a")).containsExactly("s=3");
        tree.remove("a/#", "s");
        tree.remove("a/+", "s");
        assertThat(tree.nodeCount()).isZero();
    }

    // --- property: the tree agrees with TopicFilter.matches over all filters ---

    private static final String[] LEVELS = {"a", "b", "", "$s", "ab"};

    private static String randomFilter(Random random) {
        int depth = 1 + random.nextInt(4);
        StringBuilder filter = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                filter.append('/');
            }
            int pick = random.nextInt(10);
            if (pick < 2) {
                filter.append('+');
            } else if (pick == 2) {
                filter.append('#');
                break;
            } else {
                filter.append(LEVELS[random.nextInt(LEVELS.length)]);
            }
        }
        return filter.isEmpty() ? randomFilter(random) : filter.toString(); // MQTT-4.7.3-1: not empty
    }

    private static String randomTopic(Random random) {
        int depth = 1 + random.nextInt(5);
        StringBuilder topic = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                topic.append('/');
            }
            topic.append(LEVELS[random.nextInt(LEVELS.length)]);
        }
        return topic.isEmpty() ? randomTopic(random) : topic.toString(); // MQTT-4.7.3-1: not empty
    }

    @Test
    void matchAgreesWithTopicFilterOnRandomFiltersAndTopics() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            SubscriptionTree<Integer, String> subscriptions = new SubscriptionTree<>();
            Map<Integer, String> filters = new HashMap<>(); // subscriber -> filter
            for (int subscriber = 0; subscriber < 200; subscriber++) {
                String filter = randomFilter(random);
                filters.put(subscriber, filter);
                subscriptions.put(filter, subscriber, filter);
            }
            // some churn, so that matching also runs over pruned and regrown parts of the tree
            for (int i = 0; i < 50; i++) {
                int subscriber = random.nextInt(200);
                String filter = filters.remove(subscriber);
                if (filter != null) {
                    assertThat(subscriptions.remove(filter, subscriber)).isEqualTo(filter);
                }
            }
            assertThat(subscriptions.size()).isEqualTo(filters.size());
            for (int t = 0; t < 200; t++) {
                String topic = randomTopic(random);
                Set<Integer> expected = new HashSet<>();
                filters.forEach((subscriber, filter) -> {
                    if (TopicFilter.parse(filter).matches(topic)) {
                        expected.add(subscriber);
                    }
                });
                List<Integer> actual = new ArrayList<>();
                subscriptions.match(topic, (subscriber, filter) -> actual.add(subscriber));
                assertThat(actual).as("seed %d, topic '%s'", seed, topic)
                        .doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    // --- concurrency ---

    /**
     * Writers put and remove over a small set of overlapping filters (so nodes empty, get pruned and refill all
     * the time) while a reader matches. Each writer owns its subscribers, so its own record of what it did is the
     * model. The reader checks that a subscription that is never removed is always visible and that whatever it
     * sees really matches; at the end size() and match() must agree with the model, and removing everything must
     * leave no nodes.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentWritersAndAReaderAgreeWithTheModel() throws Exception {
        String[] filters = {"a", "a/b", "a/b/c", "a/b/c/d", "a/+/c", "a/+/c/#", "a/#", "+/b", "#", "+/+/+/+",
            "x/y", "x/+", "$s/a"};
        String[] topics = {"a", "a/b", "a/b/c", "a/b/c/d", "a/x/c", "a/x/c/d/e", "x/y", "x/b", "$s/a", "q/b/c/d"};
        SubscriptionTree<String, String> subscriptions = new SubscriptionTree<>();
        subscriptions.put("a/b/c/d", "sentinel", "a/b/c/d");
        subscriptions.put("x/+", "sentinel", "x/+");

        int writers = 3;
        int subscribersPerWriter = 4;
        long operationsPerWriter = 1_000_000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong matches = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<?> reader = pool.submit(() -> {
                start.await();
                Random random = new Random();
                while (writing.get()) {
                    String topic = topics[random.nextInt(topics.length)];
                    boolean[] sentinelSeen = {false};
                    subscriptions.match(topic, (subscriber, filter) -> {
                        assertThat(TopicFilter.parse(filter).matches(topic))
                                .as("%s visited for '%s' with filter '%s'", subscriber, topic, filter).isTrue();
                        if (subscriber.equals("sentinel")) {
                            sentinelSeen[0] = true;
                        }
                    });
                    boolean sentinelExpected = topic.equals("a/b/c/d") || topic.startsWith("x/");
                    assertThat(sentinelSeen[0]).as("sentinel for '%s'", topic).isEqualTo(sentinelExpected);
                    matches.incrementAndGet();
                }
                return null;
            });
            List<Future<Map<String, String>>> models = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                models.add(pool.submit(() -> {
                    Map<String, String> model = new HashMap<>(); // "filter|subscriber" -> value
                    Random random = new Random(writer);
                    start.await();
                    for (long op = 0; op < operationsPerWriter; op++) {
                        String filter = filters[random.nextInt(filters.length)];
                        String subscriber = "w" + writer + "-" + random.nextInt(subscribersPerWriter);
                        String key = filter + "|" + subscriber;
                        if (random.nextBoolean()) {
                            String previous = subscriptions.put(filter, subscriber, filter);
                            assertThat(previous).isEqualTo(model.put(key, filter));
                        } else {
                            String removed = subscriptions.remove(filter, subscriber);
                            assertThat(removed).isEqualTo(model.remove(key));
                        }
                    }
                    return model;
                }));
            }
            start.countDown();
            Map<String, String> model = new HashMap<>();
            for (Future<Map<String, String>> future : models) {
                model.putAll(future.get());
            }
            writing.set(false);
            reader.get();
            assertThat(matches.get()).isPositive();

            assertThat(subscriptions.size()).isEqualTo(model.size() + 2);
            model.put("a/b/c/d|sentinel", "a/b/c/d");
            model.put("x/+|sentinel", "x/+");
            for (String topic : topics) {
                Set<String> expected = new HashSet<>();
                model.forEach((key, filter) -> {
                    if (TopicFilter.parse(filter).matches(topic)) {
                        expected.add(key);
                    }
                });
                List<String> actual = new ArrayList<>();
                subscriptions.match(topic, (subscriber, filter) -> actual.add(filter + "|" + subscriber));
                assertThat(actual).as(topic).containsExactlyInAnyOrderElementsOf(expected);
            }
            model.forEach((key, filter) -> {
                String subscriber = key.substring(key.indexOf('|') + 1);
                assertThat(subscriptions.get(filter, subscriber)).as(key).isEqualTo(filter);
            });

            // everyone removes everything at once: no node may be left behind
            List<Future<?>> removals = new ArrayList<>();
            Set<String> keys = ConcurrentHashMap.newKeySet();
            keys.addAll(model.keySet());
            for (int w = 0; w < writers; w++) {
                removals.add(pool.submit(() -> {
                    for (String key : keys) {
                        if (keys.remove(key)) {
                            int bar = key.indexOf('|');
                            assertThat(subscriptions.remove(key.substring(0, bar), key.substring(bar + 1))).isNotNull();
                        }
                    }
                }));
            }
            for (Future<?> removal : removals) {
                removal.get();
            }
            assertThat(subscriptions.size()).isZero();
            assertThat(subscriptions.nodeCount()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** put and remove of the same few deep filters, hammering the prune/put race on the same nodes. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pruningNeverLosesAConcurrentPut() throws Exception {
        SubscriptionTree<String, Integer> subscriptions = new SubscriptionTree<>();
        int threads = 4;
        int rounds = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String subscriber = "t" + t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        // all threads share the prefix a/b/c; each one's node empties and is pruned every round
                        String filter = (i & 1) == 0 ? "a/b/c/d" : "a/b/c/+/#";
                        assertThat(subscriptions.put(filter, subscriber, i)).isNull();
                        assertThat(subscriptions.get(filter, subscriber)).isEqualTo(i);
                        assertThat(subscriptions.remove(filter, subscriber)).isEqualTo(i);
                    }
                    subscriptions.put("a/b/c/d", subscriber, -1);
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            assertThat(subscriptions.size()).isEqualTo(threads);
            List<String> visited = new ArrayList<>();
            subscriptions.match("a/b/c/d", (subscriber, value) -> visited.add(subscriber));
            assertThat(visited).containsExactlyInAnyOrder("t0", "t1", "t2", "t3");
            assertThat(subscriptions.nodeCount()).isEqualTo(4);
        } finally {
            pool.shutdownNow();
        }
    }
}
