package io.tributary.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.analytics.Presence;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultsReaderTest {

    @Test
    void printsOurAvroRecordsAsJsonOtherValuesAsTextAndTombstonesAsNull() {
        byte[] presence = AnalyticsCodecs.PRESENCE.encode(new Presence("dev-1", "node-a",
                Instant.parse("2026-01-01T00:00:00Z"), 7L, null, 5, null));
        assertThat(ResultsReader.text(presence)).isEqualTo("{\"clientId\": \"dev-1\", \"nodeId\": \"node-a\", "
                + "\"onlineSince\": \"2026-01-01T00:00:00Z\", \"sessionEpoch\": 7, \"username\": null, "
                + "\"protocolVersion\": 5, \"remoteAddress\": null}");
        assertThat(ResultsReader.text("{\"min\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"min\":1}");
        assertThat(ResultsReader.text(null)).isEqualTo("null");
    }
}
