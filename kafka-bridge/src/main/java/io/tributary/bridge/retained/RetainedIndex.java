package io.tributary.bridge.retained;

import io.tributary.bridge.mapping.TopicFilter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Topic names to values, indexed by topic level so that a topic filter finds the names it matches without
 * visiting the others: {@code a/+/c} walks only the children of {@code a} and then {@code c}; {@code #} walks
 * everything, which it must.
 *
 * <p>Matching takes no lock and may run on any thread while another thread writes: it sees each value as it was
 * at some moment during the walk. Writes are serialized (one lock, held only while the trie is changed).
 *
 * @param <V> the value stored per topic name
 */
public final class RetainedIndex<V> {

    private final Level<V> root = new Level<>(null, null);
    private final Object writeLock = new Object();
    private volatile int size;

    /** Sets the value of {@code topic} (a topic name, no wildcards); returns the previous one or null. */
    public V put(String topic, V value) {
        Objects.requireNonNull(value, "value");
        synchronized (writeLock) {
            Level<V> level = root;
            int start = 0;
            while (true) {
                int end = topic.indexOf('/', start);
                String name = end < 0 ? topic.substring(start) : topic.substring(start, end);
                level = level.childForWrite(name);
                if (end < 0) {
                    break;
                }
                start = end + 1;
            }
            V previous = level.value;
            level.value = value;
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /** Removes {@code topic}; returns its value or null. Levels left without values or children are unlinked. */
    public V remove(String topic) {
        synchronized (writeLock) {
            Level<V> level = find(topic);
            if (level == null || level.value == null) {
                return null;
            }
            V previous = level.value;
            level.value = null;
            size--;
            while (level.parent != null && level.value == null && (level.children == null
                    || level.children.isEmpty())) {
                level.parent.children.remove(level.name);
                level = level.parent;
            }
            return previous;
        }
    }

    /** Removes {@code topic} only while its value is still {@code expected}. */
    public boolean remove(String topic, V expected) {
        synchronized (writeLock) {
            Level<V> level = find(topic);
            if (level == null || level.value != expected) {
                return false;
            }
            remove(topic);
            return true;
        }
    }

    public V get(String topic) {
        Level<V> level = find(topic);
        return level == null ? null : level.value;
    }

    /** The number of topics with a value. */
    public int size() {
        return size;
    }

    /**
     * Hands every value whose topic name {@code filter} matches to {@code action}, on the calling thread. As MQTT
     * 4.7.2 says, a filter that starts with a wildcard does not match topic names that start with {@code $}.
     */
    public void match(TopicFilter filter, Consumer<? super V> action) {
        String[] levels = filter.toString().split("/", -1);
        match(root, levels, 0, action);
    }

    private void match(Level<V> level, String[] filter, int index, Consumer<? super V> action) {
        if (index == filter.length) {
            V value = level.value;
            if (value != null) {
                action.accept(value);
            }
            return;
        }
        String name = filter[index];
        Map<String, Level<V>> children = level.children;
        if (name.equals("#")) {
            if (level != root) {
                V value = level.value; // "a/#" matches "a" too (MQTT-4.7.1-2)
                if (value != null) {
                    action.accept(value);
                }
            }
            if (children != null) {
                children.forEach((childName, child) -> {
                    if (level != root || !childName.startsWith("$")) {
                        all(child, action);
                    }
                });
            }
            return;
        }
        if (children == null) {
            return;
        }
        if (name.equals("+")) {
            children.forEach((childName, child) -> {
                if (level != root || !childName.startsWith("$")) {
                    match(child, filter, index + 1, action);
                }
            });
            return;
        }
        Level<V> child = children.get(name);
        if (child != null) {
            match(child, filter, index + 1, action);
        }
    }

    private void all(Level<V> level, Consumer<? super V> action) {
        V value = level.value;
        if (value != null) {
            action.accept(value);
        }
        Map<String, Level<V>> children = level.children;
        if (children != null) {
            children.values().forEach(child -> all(child, action));
        }
    }

    private Level<V> find(String topic) {
        Level<V> level = root;
        int start = 0;
        while (level != null) {
            int end = topic.indexOf('/', start);
            String name = end < 0 ? topic.substring(start) : topic.substring(start, end);
            Map<String, Level<V>> children = level.children;
            level = children == null ? null : children.get(name);
            if (end < 0) {
                return level;
            }
            start = end + 1;
        }
        return null;
    }

    /** One topic level; the empty string is a level too ({@code a//b}, {@code /a}). */
    private static final class Level<V> {
        final Level<V> parent;
        final String name;
        /** Created on the first child: most levels are leaves. */
        volatile Map<String, Level<V>> children;
        volatile V value;

        Level(Level<V> parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        Level<V> childForWrite(String childName) {
            Map<String, Level<V>> map = children;
            if (map == null) {
                map = new ConcurrentHashMap<>(4);
                children = map;
            }
            return map.computeIfAbsent(childName, n -> new Level<>(this, n));
        }
    }
}
