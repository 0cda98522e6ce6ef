package io.tributary.streams.analytics;

import io.tributary.streams.AppConfig;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsCommand;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;

/** The analytics app on its own: {@code java -cp ... io.tributary.streams.analytics.AnalyticsApp --help}. */
@Command(name = "tributary-analytics", mixinStandardHelpOptions = true,
        description = "Windowed statistics of MQTT messages per topic and per device (docs/streams-apps.md).")
public final class AnalyticsApp extends StreamsCommand<AnalyticsSettings> {

    public static final String DEFAULT_APPLICATION_ID = "tributary-analytics";

    public static void main(String[] args) {
        System.exit(execute(new AnalyticsApp(), args));
    }

    @Override
    protected String defaultApplicationId() {
        return DEFAULT_APPLICATION_ID;
    }

    @Override
    protected AnalyticsSettings settings(AppConfig config) {
        return AnalyticsSettings.from(config);
    }

    @Override
    protected Topology topology(AnalyticsSettings settings) {
        return AnalyticsTopology.build(settings);
    }

    /** Its result topics; the message topics belong to the broker, which creates them. */
    @Override
    protected List<NewTopic> topics(AnalyticsSettings settings, int partitions, short replicationFactor) {
        return List.of(
                AppTopics.topic(settings.topicStatsTopic(), partitions, replicationFactor, false),
                AppTopics.topic(settings.deviceStatsTopic(), partitions, replicationFactor, false));
    }
}
