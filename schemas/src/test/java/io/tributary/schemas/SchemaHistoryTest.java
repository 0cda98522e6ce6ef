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

    /** Every schema in src/main/avro has its history, whose newest version is it and which it reads. */
    @Test
    void everySchemaHasAHistoryItReads() throws java.io.IOException {
        java.util.List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(
                java.nio.file.Path.of("src", "main", "avro"))) {
            files = list.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (java.nio.file.Path file : files) {
            // the generated class's schema: files may name types of other files
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(file.toFile());
            String className = json.get("namespace").asText() + "." + json.get("name").asText();
            Schema current;
            try {
                current = org.apache.avro.specific.SpecificData.get().getSchema(Class.forName(className));
            } catch (ClassNotFoundException e) {
                throw new AssertionError("no generated class " + className + " for " + file, e);
            }
            java.util.List<Schema> history = new java.util.ArrayList<>();
            for (int v = 1; ; v++) {
                java.io.InputStream in = Records.class.getResourceAsStream(
                        "history/" + current.getName() + ".v" + v + ".avsc");
                if (in == null) {
                    break;
                }
                try (in) {
                    history.add(new Schema.Parser().parse(in));
                }
            }
            assertThat(history).as("history/%s.v1.avsc exists", current.getName()).isNotEmpty();
            assertReadsHistory(current, history);
        }
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
