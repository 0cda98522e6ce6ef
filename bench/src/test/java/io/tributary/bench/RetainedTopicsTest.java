package io.tributary.bench;

import io.tributary.bridge.mapping.TopicFilter;
import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The naming of a retained set and how it splits into buckets and publisher ranges. */
class RetainedTopicsTest {

    private final RetainedTopics topics = new RetainedTopics(RetainedTopics.DEFAULT_PREFIX, 2500);

    @Test
    void messageIGoesToPrefixSlashIOver1000SlashI() {
        assertThat(topics.topic(0)).isEqualTo("bench/retained/0/0");
        assertThat(topics.topic(999)).isEqualTo("bench/retained/0/999");
        assertThat(topics.topic(1000)).isEqualTo("bench/retained/1/1000");
        assertThat(new RetainedTopics("x", 100_000).topic(99_999)).isEqualTo("x/99/99999");
    }

    @Test
    void everyTopicNameLeadsBackToItsIndexAndNoOtherNameDoes() {
        for (int i = 0; i < topics.count(); i++) {
            assertThat(topics.index(topics.topic(i))).isEqualTo(i);
        }
        assertThat(topics.index("bench/retained/1/999")).isEqualTo(-1);   // wrong bucket
        assertThat(topics.index("bench/retained/2/2500")).isEqualTo(-1);  // beyond the set
        assertThat(topics.index("bench/retained/0/07")).isEqualTo(-1);    // not how we write it
        assertThat(topics.index("bench/retained/0/-1")).isEqualTo(-1);
        assertThat(topics.index("bench/retained/0")).isEqualTo(-1);
        assertThat(topics.index("bench/retained/0/0/x")).isEqualTo(-1);
        assertThat(topics.index("bench/retainedX/0/0")).isEqualTo(-1);
        assertThat(topics.index("other/0/0")).isEqualTo(-1);
    }

    @Test
    void bucketsHoldAThousandEachAndTheLastTheRest() {
        assertThat(topics.buckets()).isEqualTo(3);
        assertThat(topics.bucketSizes()).containsExactly(1000, 1000, 500);
        assertThat(new RetainedTopics("x", 100_000).bucketSizes()).hasSize(100).containsOnly(1000);
        assertThat(RetainedTopics.index(2, 499)).isEqualTo(2499);
    }

    @Test
    void theFiltersMatchTheWholeSetAndOneBucket() {
        TopicFilter all = TopicFilter.parse(topics.allFilter());
        TopicFilter bucket1 = TopicFilter.parse(topics.bucketFilter(1));
        assertThat(topics.allFilter()).isEqualTo("bench/retained/#");
        assertThat(topics.bucketFilter(1)).isEqualTo("bench/retained/1/+");
        for (int i = 0; i < topics.count(); i++) {
            assertThat(all.matches(topics.topic(i))).isTrue();
            assertThat(bucket1.matches(topics.topic(i))).isEqualTo(RetainedTopics.bucket(i) == 1);
        }
    }

    @Test
    void publishersSplitTheSetIntoContiguousRangesCoveringItOnce() {
        for (int publishers : new int[] {1, 3, 7, 10, 2500}) {
            BitSet covered = new BitSet();
            for (int p = 0; p < publishers; p++) {
                int from = topics.rangeStart(p, publishers);
                int to = topics.rangeStart(p + 1, publishers);
                assertThat(to).isGreaterThan(from);
                assertThat(covered.get(from, to).isEmpty()).isTrue();
                covered.set(from, to);
            }
            assertThat(covered.cardinality()).isEqualTo(topics.count());
            assertThat(topics.rangeStart(publishers, publishers)).isEqualTo(topics.count());
        }
    }

    @Test
    void aPrefixWithWildcardsOrAnEmptySetIsRefused() {
        assertThatThrownBy(() -> new RetainedTopics("a/+", 10)).hasMessageContaining("without wildcards");
        assertThatThrownBy(() -> new RetainedTopics("a/", 10)).hasMessageContaining("trailing '/'");
        assertThatThrownBy(() -> new RetainedTopics("a", 0)).hasMessageContaining("--topics must be >= 1");
    }
}
