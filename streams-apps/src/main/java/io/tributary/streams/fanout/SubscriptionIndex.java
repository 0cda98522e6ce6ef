package io.tributary.streams.fanout;

import io.tributary.bridge.mapping.TopicFilter;
import io.tributary.bridge.topic.SubscriptionTree;
import io.tributary.schemas.routing.ClientSubscriptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's subscriptions as the fan-out matches them: which client on which node has which filter, and how far
 * the subscriptions topic has been applied. One per topology; the global processor writes it (one thread), the
 * stream tasks read it (any number of threads, no lock).
 *
 * <p>Only connected clients (a node id) are in the tree. A change of a client adds its new filters before it
 * removes the old ones, so a concurrent match sees a filter the client has before and after the change all the
 * time, on the old or the new node: a message is then routed at worst to one node too many (which matches it
 * again and drops it), never to none.
 *
 * <p>The applied offset of a partition is published after the change it stands for, so a reader that sees an
 * offset also sees every change up to it.
 */
final class SubscriptionIndex {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionIndex.class);

    private final SubscriptionTree<String, String> tree = new SubscriptionTree<>();
    private final ConcurrentHashMap<Integer, Long> applied = new ConcurrentHashMap<>();

    /**
     * Moves {@code clientId} from its {@code before} record (what the index holds for it; null: nothing) to
     * {@code after} (null: removed).
     */
    void replace(String clientId, ClientSubscriptions before, ClientSubscriptions after) {
        String node = after == null ? null : after.getNodeId();
        Set<String> filters = node == null ? Set.of() : validFilters(clientId, after.getFilters());
        for (String filter : filters) {
            tree.put(filter, clientId, node);
        }
        if (before != null && before.getNodeId() != null) {
            for (String filter : before.getFilters()) {
                if (!filters.contains(filter)) {
                    tree.remove(filter, clientId);
                }
            }
        }
    }

    /** Records that the subscriptions-topic {@code partition} has been applied up to {@code offset}, inclusive. */
    void applied(int partition, long offset) {
        applied.merge(partition, offset, Math::max);
    }

    /** Per subscriptions-topic partition, the offset of the last record applied; a copy, by partition. */
    SortedMap<Integer, Long> appliedOffsets() {
        return new TreeMap<>(applied);
    }

    /** The distinct nodes with a client subscribed to {@code topic}, in no particular order. */
    Collection<String> nodesFor(String topic) {
        Set<String> nodes = new HashSet<>();
        tree.match(topic, (client, node) -> nodes.add(node));
        return nodes;
    }

    /** Subscriptions in the tree (for tests and metrics). */
    int size() {
        return tree.size();
    }

    private static Set<String> validFilters(String clientId, List<String> filters) {
        Set<String> valid = new HashSet<>(filters.size() * 2);
        for (String filter : filters) {
            String problem = TopicFilter.problemWith(filter);
            if (problem == null) {
                valid.add(filter);
            } else {
                LOG.warn("client {}: ignoring topic filter '{}' of the subscriptions topic: {}", clientId, filter,
                        problem);
            }
        }
        return valid;
    }
}
