package io.tributary.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.analytics.ClientEvent;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.Presence;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.schemas.analytics.WindowAccumulator;
import io.tributary.schemas.routing.ClientSubscriptions;
import io.tributary.schemas.routing.RouteWatermark;
import io.tributary.schemas.session.NodeHeartbeat;
import io.tributary.schemas.session.SessionRecord;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * Every schema change stays backward compatible: the current schema reads records of every earlier version, and
 * the newest version in {@code io/tributary/schemas/history} is the current schema (a change adds a version).
 */
class SchemaHistoryTest {

    @Test
    void sessionRecordReadsEveryEarlierVersion() {
        assertReadsHistory(SessionRecord.getClassSchema(), Records.SESSION_RECORD_HISTORY);
    }

    @Test
    void nodeHeartbeatReadsEveryEarlierVersion() {
        assertReadsHistory(NodeHeartbeat.getClassSchema(), Records.NODE_HEARTBEAT_HISTORY);
    }

    @Test
    void topicWindowStatsReadsEveryEarlierVersion() {
        assertReadsHistory(TopicWindowStats.getClassSchema(), AnalyticsCodecs.TOPIC_WINDOW_STATS.history());
    }

    @Test
    void deviceWindowStatsReadsEveryEarlierVersion() {
        assertReadsHistory(DeviceWindowStats.getClassSchema(), AnalyticsCodecs.DEVICE_WINDOW_STATS.history());
    }

    @Test
    void windowAccumulatorReadsEveryEarlierVersion() {
        assertReadsHistory(WindowAccumulator.getClassSchema(), AnalyticsCodecs.WINDOW_ACCUMULATOR.history());
    }

    @Test
    void clientEventReadsEveryEarlierVersion() {
        assertReadsHistory(ClientEvent.getClassSchema(), AnalyticsCodecs.CLIENT_EVENT.history());
    }

    @Test
    void presenceReadsEveryEarlierVersion() {
        assertReadsHistory(Presence.getClassSchema(), AnalyticsCodecs.PRESENCE.history());
    }

    @Test
    void clientSubscriptionsReadsEveryEarlierVersion() {
        assertReadsHistory(ClientSubscriptions.getClassSchema(), RoutingCodecs.CLIENT_SUBSCRIPTIONS.history());
    }

    @Test
    void routeWatermarkReadsEveryEarlierVersion() {
        assertReadsHistory(RouteWatermark.getClassSchema(), RoutingCodecs.ROUTE_WATERMARK.history());
    }

    private static void assertReadsHistory(Schema current, List<Schema> history) {
        assertThat(SchemaNormalization.parsingFingerprint64(history.get(history.size() - 1)))
                .as("the newest schema in history/ is the current %s (add a version when changing it)",
                        current.getName())
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        for (int v = 0; v < history.size(); v++) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, history.get(v)).getType())
                    .as("%s reads version %d", current.getName(), v + 1)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }
}
