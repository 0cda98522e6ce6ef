package io.tributary.bridge.mapping;

import org.assertj.core.api.AbstractAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicFilterTest {

    /** Reads like the spec: {@code assertThat(filter("a/+/c")).matches("a/b/c")}. */
    static final class FilterAssert extends AbstractAssert<FilterAssert, TopicFilter> {
        FilterAssert(TopicFilter actual) {
            super(actual, FilterAssert.class);
        }

        FilterAssert matches(String... topics) {
            for (String topic : topics) {
                if (!actual.matches(topic)) {
                    failWithMessage("expected filter '%s' to match topic '%s'", actual, topic);
                }
            }
            return this;
        }

        FilterAssert doesNotMatch(String... topics) {
            for (String topic : topics) {
                if (actual.matches(topic)) {
                    failWithMessage("expected filter '%s' not to match topic '%s'", actual, topic);
                }
            }
            return this;
        }
    }

    static FilterAssert assertThatFilter(String filter) {
        return new FilterAssert(TopicFilter.parse(filter));
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a", "a/b/c", "a/#", "a/+/c", "+/+", "/", "//", "+/#", "/a", "a/", "$SYS/#", "a b/ü"})
    void acceptsValidFilters(String filter) {
        assertThat(TopicFilter.isValid(filter)).as(filter).isTrue();
        assertThat(TopicFilter.parse(filter)).hasToString(filter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a#", "a/#/b", "#/a", "a+", "a/+b", "+a/b", "a/b#", "##", "a/\0"})
    void rejectsInvalidFilters(String filter) {
        assertThat(TopicFilter.isValid(filter)).as(filter).isFalse();
        assertThatThrownBy(() -> TopicFilter.parse(filter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid topic filter");
    }

    @Test
    void nullIsInvalid() {
        assertThat(TopicFilter.problemWith(null)).isEqualTo("it is empty");
    }

    @Test
    void literalFiltersMatchOnlyThemselves() {
        assertThatFilter("a/b/c").matches("a/b/c").doesNotMatch("a/b", "a/b/c/d", "a/b/cd", "a/bb/c", "A/b/c", "a/b/c/");
        assertThatFilter("/").matches("/").doesNotMatch("", "a/");
    }

    @Test
    void plusMatchesExactlyOneLevel() {
        assertThatFilter("a/+/c").matches("a/b/c", "a/xyz/c").doesNotMatch("a/b/d", "a/b/c/d", "a/c");
        assertThatFilter("+").matches("a", "abc").doesNotMatch("a/b", "/a");
        assertThatFilter("+/+").matches("a/b", "/a", "a/", "/").doesNotMatch("a", "a/b/c");
    }

    @Test
    void plusMatchesEmptyLevels() {
        assertThatFilter("a/+/c").matches("a//c");
        assertThatFilter("a/+").matches("a/");
        assertThatFilter("+/b").matches("/b");
    }

    @Test
    void hashMatchesTheParentAndAllChildren() {
        assertThatFilter("a/#").matches("a", "a/", "a/b", "a/b/c/d").doesNotMatch("b", "ab", "ab/c");
        assertThatFilter("#").matches("a", "a/b", "/", "/a");
        assertThatFilter("a/+/#").matches("a/b", "a/b/c", "a/b/c/d").doesNotMatch("a");
    }

    @Test
    void dollarTopicsAreNotMatchedByLeadingWildcards() {
        assertThatFilter("#").doesNotMatch("$SYS", "$SYS/broker/load");
        assertThatFilter("+/broker/load").doesNotMatch("$SYS/broker/load");
        assertThatFilter("$SYS/#").matches("$SYS", "$SYS/broker/load");
        assertThatFilter("$SYS/+/load").matches("$SYS/broker/load");
        assertThatFilter("a/#").matches("a/$b");
    }

    @Test
    void literalness() {
        assertThat(TopicFilter.parse("a/b").isLiteral()).isTrue();
        assertThat(TopicFilter.parse("a/+").isLiteral()).isFalse();
        assertThat(TopicFilter.parse("#").isLiteral()).isFalse();
    }

    @Test
    void equalityByText() {
        assertThat(TopicFilter.parse("a/+")).isEqualTo(TopicFilter.parse("a/+")).hasSameHashCodeAs(TopicFilter.parse("a/+"));
        assertThat(TopicFilter.parse("a/+")).isNotEqualTo(TopicFilter.parse("a/#"));
    }
}
