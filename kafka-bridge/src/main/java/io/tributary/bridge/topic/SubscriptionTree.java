package io.tributary.bridge.topic;

import io.tributary.bridge.mapping.TopicFilter;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The subscriptions of many subscribers to MQTT topic filters, matched against topic names as MQTT 3.1.1 and
 * 5.0 section 4.7 define: {@code +} matches exactly one level (also an empty one), {@code #} matches the parent
 * level and any number of levels below it, and a filter starting with a wildcard does not match a topic
 * starting with {@code $} (MQTT-4.7.2-1).
 *
 * <h2>Structure</h2>
 * A trie by topic level: one node per distinct filter prefix. A node keeps its literal children (the child
 * itself when there is only one, else a small copy-on-write array), its {@code +} and {@code #} children in
 * fields of their own, and the subscribers of the filter that ends at it (a copy-on-write array of key/value
 * pairs). Both arrays become a {@link ConcurrentHashMap} above {@value #MAP_THRESHOLD} entries and go back to
 * an array at {@value #ARRAY_THRESHOLD} or fewer. So one subscriber costs one small array, and 100k
 * subscribers of one filter (or 1M children of one level) cost one map. {@link #match} walks the trie level
 * by level with the set of nodes whose prefix matches the topic so far, without recursion (a filter of
 * thousands of levels cannot overflow the stack); its cost depends on the number of levels and on the number
 * of matching filters, not on the number of subscriptions. Removing the last subscription of a node prunes it
 * and every ancestor left empty, so memory follows the live subscriptions, not their history (except that a
 * {@link ConcurrentHashMap} keeps its table size until it shrinks back to an array).
 *
 * <h2>Concurrency</h2>
 * {@link #match} and {@link #get} take no lock. Every field they read is volatile (or final) and every
 * structure they read is either immutable (the arrays, replaced as a whole after they are fully built) or a
 * {@link ConcurrentHashMap}, so a reader sees each subscription either entirely or not at all, and a value
 * replaced by {@link #put} either old or new, never both.
 *
 * <p>Writers ({@link #put}, {@link #remove}) lock nodes ({@code synchronized} on the node), and every change
 * of a node's children or subscribers happens under that node's lock. The invariant is: <em>a node that is
 * not marked removed is linked from its parent, and its parent is not marked removed</em> (so it is reachable
 * from the root). It holds because
 * <ul>
 *   <li>a child is added to a node, and a subscription to a node, only under that node's lock and only after
 *       checking that the node is not marked removed (otherwise the writer starts again from the root, where it
 *       will create a fresh node);</li>
 *   <li>a node is pruned only under the locks of its parent and of itself, taken in that order (ancestor before
 *       descendant, so writers cannot deadlock; {@code put} never holds more than one lock), only if it has no
 *       subscriptions and no children, and it is marked removed and unlinked in the same critical section. A
 *       removed node is never reused.</li>
 * </ul>
 * A {@code put} racing with the pruning of the node it found is therefore either serialized before it (the
 * node is not empty any more and is kept) or after it (the {@code put} sees the mark and retries), so a
 * subscription is never added to an unreachable node. {@code remove} likewise starts again if the node it
 * found was pruned before it got the lock, since a {@code put} may have built a fresh path for the filter. Pruning walks up one level at a time, releasing both
 * locks between steps, and re-checks each ancestor under its own locks.
 *
 * <p>{@link #size} is a counter updated in the same critical sections; while writers run it is a momentary
 * estimate, at rest it is exact.
 *
 * <p>Filters must be valid ({@link TopicFilter#isValid}); topic names are assumed valid (no wildcards).
 *
 * @param <K> the subscriber (e.g. a session or client id); compared with {@code equals}
 * @param <V> what is stored per subscription (e.g. the granted QoS and options)
 */
public final class SubscriptionTree<K, V> {

    /** Above this many entries an array becomes a {@link ConcurrentHashMap}. */
    static final int MAP_THRESHOLD = 8;
    /** At this many entries or fewer a map goes back to an array (hysteresis: a count near the limit does not flap). */
    static final int ARRAY_THRESHOLD = 4;

    private static final Object[] NO_PAIRS = new Object[0];

    private final Node<K, V> root = new Node<>(null, "");
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger nodeCount = new AtomicInteger();

    /** Adds or replaces the subscription of {@code subscriber} to {@code filter}; returns the value it replaced or null. */
    public V put(String filter, K subscriber, V value) {
        String problem = TopicFilter.problemWith(filter);
        if (problem != null) {
            throw new IllegalArgumentException("invalid topic filter '" + filter + "': " + problem);
        }
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(value, "value");
        while (true) {
            Node<K, V> node = findOrCreate(filter);
            if (node == null) {
                continue; // a node on the way was pruned under us: start again
            }
            synchronized (node) {
                if (node.removed) {
                    continue;
                }
                V previous = node.putSubscriber(subscriber, value);
                if (previous == null) {
                    size.incrementAndGet();
                }
                return previous;
            }
        }
    }

    /** Removes the subscription of {@code subscriber} to {@code filter}; returns the removed value or null. */
    public V remove(String filter, K subscriber) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        while (true) {
            Node<K, V> node = find(filter);
            if (node == null) {
                return null;
            }
            V removed;
            synchronized (node) {
                if (node.removed) {
                    continue; // pruned since we found it: a put may have made a fresh node for the filter
                }
                removed = node.removeSubscriber(subscriber);
                if (removed == null) {
                    return null;
                }
                size.decrementAndGet();
                if (!node.isEmpty()) {
                    return removed;
                }
            }
            prune(node);
            return removed;
        }
    }

    /** The value of {@code subscriber}'s subscription to exactly this filter, or null. */
    public V get(String filter, K subscriber) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(subscriber, "subscriber");
        Node<K, V> node = find(filter);
        return node == null ? null : node.subscriber(subscriber);
    }

    /** The number of subscriptions. */
    public int size() {
        return size.get();
    }

    /** Nodes in the tree, not counting the root: 0 when it holds no subscriptions. For tests. */
    int nodeCount() {
        return nodeCount.get();
    }

    /**
     * Calls {@code visitor} for every (subscriber, value) whose filter matches {@code topicName}, once per
     * matching filter (a subscriber with two matching filters is visited twice). Lock-free.
     */
    public void match(String topicName, BiConsumer<? super K, ? super V> visitor) {
        int length = topicName.length();
        // MQTT-4.7.2-1: filters starting with a wildcard do not match topics starting with '$'
        boolean wildcardsAtRoot = length == 0 || topicName.charAt(0) != '$';
        Node<K, V>[] current = newNodeArray(4);
        Node<K, V>[] next = newNodeArray(4);
        current[0] = root;
        int count = 1;
        int start = 0;
        boolean first = true;
        while (true) {
            int end = topicName.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            String level = null; // cut from the topic only if some node has literal children
            int nextCount = 0;
            for (int i = 0; i < count; i++) {
                Node<K, V> node = current[i];
                if (!first || wildcardsAtRoot) {
                    Node<K, V> hash = node.hashChild;
                    if (hash != null) {
                        hash.visit(visitor); // '#' here matches this level and everything below
                    }
                    Node<K, V> plus = node.plusChild;
                    if (plus != null) {
                        if (nextCount == next.length) {
                            next = Arrays.copyOf(next, nextCount * 2);
                        }
                        next[nextCount++] = plus;
                    }
                }
                Object children = node.children;
                if (children != null) {
                    if (level == null) {
                        level = topicName.substring(start, end);
                    }
                    Node<K, V> child = Node.literalChild(children, level);
                    if (child != null) {
                        if (nextCount == next.length) {
                            next = Arrays.copyOf(next, nextCount * 2);
                        }
                        next[nextCount++] = child;
                    }
                }
            }
            if (nextCount == 0) {
                return;
            }
            Node<K, V>[] swap = current;
            current = next;
            next = swap;
            count = nextCount;
            first = false;
            if (end == length) {
                break;
            }
            start = end + 1;
        }
        // every level of the topic consumed: the filters ending here match, and so do their "/#" children
        // ("a/#" matches "a")
        for (int i = 0; i < count; i++) {
            Node<K, V> node = current[i];
            node.visit(visitor);
            Node<K, V> hash = node.hashChild;
            if (hash != null) {
                hash.visit(visitor);
            }
        }
    }

    /** The node of {@code filter}, or null if there is none. Lock-free. */
    private Node<K, V> find(String filter) {
        Node<K, V> node = root;
        int start = 0;
        int length = filter.length();
        while (node != null) {
            int end = filter.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            node = node.child(filter, start, end);
            if (end == length) {
                return node;
            }
            start = end + 1;
        }
        return null;
    }

    /** The node of {@code filter}, created with its ancestors as needed; null if a node on the way was pruned. */
    private Node<K, V> findOrCreate(String filter) {
        Node<K, V> node = root;
        int start = 0;
        int length = filter.length();
        while (true) {
            int end = filter.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            Node<K, V> child = node.child(filter, start, end);
            if (child == null) {
                synchronized (node) {
                    if (node.removed) {
                        return null;
                    }
                    child = node.child(filter, start, end); // again, under the lock
                    if (child == null) {
                        child = node.addChild(filter.substring(start, end));
                        nodeCount.incrementAndGet();
                    }
                }
            }
            node = child;
            if (end == length) {
                return node;
            }
            start = end + 1;
        }
    }

    /** Unlinks {@code node} if it is empty, then its ancestors that became empty, one level at a time. */
    private void prune(Node<K, V> node) {
        while (node != root) {
            Node<K, V> parent = node.parent;
            synchronized (parent) {
                synchronized (node) {
                    // a put may have refilled it, or another remove pruned it already
                    if (node.removed || !node.isEmpty()) {
                        return;
                    }
                    node.removed = true;
                    parent.removeChild(node);
                    nodeCount.decrementAndGet();
                }
            }
            node = parent;
        }
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V>[] newNodeArray(int length) {
        return (Node<K, V>[]) new Node<?, ?>[length];
    }

    /**
     * A level of a filter. {@code children} and {@code subscribers} are read without a lock and replaced or
     * changed only under the node's lock.
     */
    private static final class Node<K, V> {
        final Node<K, V> parent;
        /** The level this node stands for ("+" and "#" included). */
        final String level;
        /**
         * Literal children: null, the only child itself (the usual case deep in the tree), a {@code Node[]}
         * (copy-on-write) or a {@code ConcurrentHashMap<String, Node>}.
         */
        volatile Object children;
        volatile Node<K, V> plusChild;
        volatile Node<K, V> hashChild;
        /**
         * The subscriptions of the filter that ends here: null, an {@code Object[]} of key/value pairs
         * (copy-on-write) or a {@code ConcurrentHashMap<K, V>}.
         */
        volatile Object subscribers;
        /** Set once, under the locks of the parent and of this node, when it is unlinked. */
        boolean removed;

        Node(Node<K, V> parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        boolean isEmpty() {
            return subscribers == null && children == null && plusChild == null && hashChild == null;
        }

        /** The child for the level {@code filter[start, end)}, or null. */
        Node<K, V> child(String filter, int start, int end) {
            if (end - start == 1) {
                char c = filter.charAt(start);
                if (c == '+') {
                    return plusChild;
                }
                if (c == '#') {
                    return hashChild;
                }
            }
            Object children = this.children;
            if (children == null) {
                return null;
            }
            return literalChild(children, filter.substring(start, end));
        }

        @SuppressWarnings("unchecked")
        static <K, V> Node<K, V> literalChild(Object children, String level) {
            if (children instanceof Node<?, ?> only) {
                return only.level.equals(level) ? (Node<K, V>) only : null;
            }
            if (children instanceof Node<?, ?>[] array) {
                for (Node<?, ?> child : array) {
                    if (child.level.equals(level)) {
                        return (Node<K, V>) child;
                    }
                }
                return null;
            }
            return ((ConcurrentHashMap<String, Node<K, V>>) children).get(level);
        }

        /** Adds a child (which must not exist yet). Under this node's lock. */
        @SuppressWarnings("unchecked")
        Node<K, V> addChild(String level) {
            Node<K, V> child = new Node<>(this, level);
            if (level.equals("+")) {
                plusChild = child;
            } else if (level.equals("#")) {
                hashChild = child;
            } else {
                Object children = this.children;
                if (children == null) {
                    this.children = child;
                } else if (children instanceof Node<?, ?> only) {
                    this.children = new Node<?, ?>[] {only, child};
                } else if (children instanceof Node<?, ?>[] array) {
                    if (array.length < MAP_THRESHOLD) {
                        Node<?, ?>[] copy = Arrays.copyOf(array, array.length + 1);
                        copy[array.length] = child;
                        this.children = copy;
                    } else {
                        ConcurrentHashMap<String, Node<K, V>> map = new ConcurrentHashMap<>(array.length * 4);
                        for (Node<?, ?> existing : array) {
                            map.put(existing.level, (Node<K, V>) existing);
                        }
                        map.put(level, child);
                        this.children = map; // published only when complete
                    }
                } else {
                    ((ConcurrentHashMap<String, Node<K, V>>) children).put(level, child);
                }
            }
            return child;
        }

        /** Unlinks {@code child}. Under the locks of this node and of the child. */
        @SuppressWarnings("unchecked")
        void removeChild(Node<K, V> child) {
            if (child == plusChild) {
                plusChild = null;
            } else if (child == hashChild) {
                hashChild = null;
            } else if (children instanceof Node<?, ?>) {
                children = null;
            } else if (children instanceof Node<?, ?>[] array) {
                if (array.length == 2) {
                    children = array[0] == child ? array[1] : array[0];
                } else {
                    Node<?, ?>[] copy = new Node<?, ?>[array.length - 1];
                    int j = 0;
                    for (Node<?, ?> existing : array) {
                        if (existing != child) {
                            copy[j++] = existing;
                        }
                    }
                    children = copy;
                }
            } else {
                ConcurrentHashMap<String, Node<K, V>> map = (ConcurrentHashMap<String, Node<K, V>>) children;
                map.remove(child.level, child);
                int remaining = map.size();
                if (remaining == 0) {
                    children = null;
                } else if (remaining <= ARRAY_THRESHOLD) {
                    children = map.values().toArray(new Node<?, ?>[0]); // a snapshot: no writer changes map now
                }
            }
        }

        @SuppressWarnings("unchecked")
        V subscriber(K key) {
            Object subscribers = this.subscribers;
            if (subscribers == null) {
                return null;
            }
            if (subscribers instanceof Object[] pairs) {
                for (int i = 0; i < pairs.length; i += 2) {
                    if (pairs[i].equals(key)) {
                        return (V) pairs[i + 1];
                    }
                }
                return null;
            }
            return ((ConcurrentHashMap<K, V>) subscribers).get(key);
        }

        /** Adds or replaces; returns the previous value or null. Under this node's lock. */
        @SuppressWarnings("unchecked")
        V putSubscriber(K key, V value) {
            Object subscribers = this.subscribers;
            if (subscribers instanceof ConcurrentHashMap<?, ?> map) {
                return ((ConcurrentHashMap<K, V>) map).put(key, value);
            }
            Object[] pairs = subscribers == null ? NO_PAIRS : (Object[]) subscribers;
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i].equals(key)) {
                    Object[] copy = pairs.clone();
                    copy[i + 1] = value;
                    this.subscribers = copy;
                    return (V) pairs[i + 1];
                }
            }
            if (pairs.length / 2 < MAP_THRESHOLD) {
                Object[] copy = Arrays.copyOf(pairs, pairs.length + 2);
                copy[pairs.length] = key;
                copy[pairs.length + 1] = value;
                this.subscribers = copy;
            } else {
                ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>(pairs.length * 2);
                for (int i = 0; i < pairs.length; i += 2) {
                    map.put((K) pairs[i], (V) pairs[i + 1]);
                }
                map.put(key, value);
                this.subscribers = map; // published only when complete
            }
            return null;
        }

        /** Removes; returns the removed value or null. Under this node's lock. */
        @SuppressWarnings("unchecked")
        V removeSubscriber(K key) {
            Object subscribers = this.subscribers;
            if (subscribers == null) {
                return null;
            }
            if (subscribers instanceof Object[] pairs) {
                for (int i = 0; i < pairs.length; i += 2) {
                    if (pairs[i].equals(key)) {
                        if (pairs.length == 2) {
                            this.subscribers = null;
                        } else {
                            Object[] copy = new Object[pairs.length - 2];
                            System.arraycopy(pairs, 0, copy, 0, i);
                            System.arraycopy(pairs, i + 2, copy, i, pairs.length - i - 2);
                            this.subscribers = copy;
                        }
                        return (V) pairs[i + 1];
                    }
                }
                return null;
            }
            ConcurrentHashMap<K, V> map = (ConcurrentHashMap<K, V>) subscribers;
            V removed = map.remove(key);
            if (removed != null) {
                int remaining = map.size();
                if (remaining == 0) {
                    this.subscribers = null;
                } else if (remaining <= ARRAY_THRESHOLD) {
                    Object[] pairs = new Object[remaining * 2];
                    int i = 0;
                    for (var entry : map.entrySet()) {
                        pairs[i++] = entry.getKey();
                        pairs[i++] = entry.getValue();
                    }
                    this.subscribers = pairs; // a snapshot: no writer changes map now
                }
            }
            return removed;
        }

        @SuppressWarnings("unchecked")
        void visit(BiConsumer<? super K, ? super V> visitor) {
            Object subscribers = this.subscribers;
            if (subscribers == null) {
                return;
            }
            if (subscribers instanceof Object[] pairs) {
                for (int i = 0; i < pairs.length; i += 2) {
                    visitor.accept((K) pairs[i], (V) pairs[i + 1]);
                }
            } else {
                ((ConcurrentHashMap<K, V>) subscribers).forEach(visitor);
            }
        }
    }
}
