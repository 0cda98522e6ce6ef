package io.tributary.bridge.retained;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.bridge.mapping.TopicFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetainedIndexTest {

    private final RetainedIndex<String> index = new RetainedIndex<>();

    private List<String> match(String filter) {
        List<String> found = new ArrayList<>();
        index.match(TopicFilter.parse(filter), found::add);
        return found;
    }

    private void putAll(String... topics) {
        for (String topic : topics) {
            index.put(topic, topic);
        }
    }

    @Test
    void wildcardsMatchAsMqttSays() {
        putAll("a", "a/b", "a/b/c", "a/x/c", "a/b/c/d", "b/b/c", "/a", "a/", "a//c");
        assertThat(match("a/+/c")).containsExactlyInAnyOrder("a/b/c", "a/x/c", "a//c");
        assertThat(match("a/#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a/x/c", "a/b/c/d", "a/", "a//c");
        assertThat(match("+/b/c")).containsExactlyInAnyOrder("a/b/c", "b/b/c");
        assertThat(match("+")).containsExactlyInAnyOrder("a");
        assertThat(match("+/+")).containsExactlyInAnyOrder("a/b", "/a", "a/");
        assertThat(match("a/b")).containsExactly("a/b");
        assertThat(match("#")).hasSize(9);
        assertThat(match("a/b/c/d/#")).containsExactly("a/b/c/d");
        assertThat(match("nothing/#")).isEmpty();
    }

    @Test
    void aLeadingWildcardDoesNotMatchDollarTopics() {
        putAll("$SYS/load", "$analytics/dev-1/t", "sensors/t");
        assertThat(match("#")).containsExactly("sensors/t");
        assertThat(match("+/load")).isEmpty();
        assertThat(match("$SYS/#")).containsExactly("$SYS/load");
        assertThat(match("$analytics/+/t")).containsExactly("$analytics/dev-1/t");
    }

    @Test
    void putReplacesAndRemovePrunes() {
        assertThat(index.put("a/b", "1")).isNull();
        assertThat(index.put("a/b", "2")).isEqualTo("1");
        index.put("a/b/c", "3");
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.remove("a/b")).isEqualTo("2");
        assertThat(index.get("a/b")).isNull();
        assertThat(index.get("a/b/c")).isEqualTo("3");
        assertThat(index.remove("a/b/c", "other")).isFalse();
        assertThat(index.remove("a/b/c", "3")).isTrue();
        assertThat(index.remove("a/b/c")).isNull();
        assertThat(index.size()).isZero();
        assertThat(match("#")).isEmpty();
        index.put("a/b/c", "again");
        assertThat(match("a/+/c")).containsExactly("again");
    }

    @Test
    void agreesWithTopicFilterOnRandomTopicsAndFilters() {
        Random random = new Random(42);
        String[] names = {"a", "b", "c", "", "$x"};
        Map<String, String> topics = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String topic = randomPath(random, names, false);
            index.put(topic, topic);
            topics.put(topic, topic);
            if (random.nextInt(4) == 0) {
                String gone = randomPath(random, names, false);
                assertThat(index.remove(gone)).isEqualTo(topics.remove(gone));
            }
        }
        assertThat(index.size()).isEqualTo(topics.size());
        for (int i = 0; i < 500; i++) {
            String filter = randomPath(random, names, true);
            if (!TopicFilter.isValid(filter)) {
                continue;
            }
            TopicFilter parsed = TopicFilter.parse(filter);
            List<String> expected = topics.keySet().stream().filter(parsed::matches).toList();
            assertThat(match(filter)).as(filter).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static String randomPath(Random random, String[] names, boolean wildcards) {
        int levels = 1 + random.nextInt(4);
        StringBuilder path = new StringBuilder();
        for (int l = 0; l < levels; l++) {
            if (l > 0) {
                path.append('/');
            }
            int pick = random.nextInt(wildcards ? names.length + 2 : names.length);
            if (pick == names.length) {
                path.append('+');
            } else if (pick == names.length + 1) {
                path.append('#');
                break;
            } else {
                path.append(l > 0 && names[pick].startsWith("$") ? "d" : names[pick]);
            }
        }
        return path.toString();
    }
}
