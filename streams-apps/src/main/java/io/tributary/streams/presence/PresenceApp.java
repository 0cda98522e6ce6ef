package io.tributary.streams.presence;

import io.tributary.streams.AppConfig;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsCommand;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;

/** The presence app on its own: {@code java -cp ... io.tributary.streams.presence.PresenceApp --help}. */
@Command(name = "tributary-presence", mixinStandardHelpOptions = true,
        description = "Who is online: the compacted presence table from the broker's client events "
                + "(docs/streams-apps.md).")
public final class PresenceApp extends StreamsCommand<PresenceSettings> {

    public static final String DEFAULT_APPLICATION_ID = "tributary-presence";

    public static void main(String[] args) {
        System.exit(execute(new PresenceApp(), args));
    }

    @Override
    protected String defaultApplicationId() {
        return DEFAULT_APPLICATION_ID;
    }

    @Override
    protected PresenceSettings settings(AppConfig config) {
        return PresenceSettings.from(config);
    }

    @Override
    protected Topology topology(PresenceSettings settings) {
        return PresenceTopology.build(settings);
    }

    /** The presence table, and the events topic (no other part of Tributary creates it yet). */
    @Override
    protected List<NewTopic> topics(PresenceSettings settings, int partitions, short replicationFactor) {
        return List.of(
                AppTopics.topic(settings.eventsTopic(), partitions, replicationFactor, false),
                AppTopics.topic(settings.presenceTopic(), partitions, replicationFactor, true));
    }
}
