package io.tributary.streams.retained;

import io.tributary.streams.AppConfig;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsCommand;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;

/**
 * The retained-state app on its own: {@code java -cp ... io.tributary.streams.retained.RetainedApp --help}. Run
 * it this way with {@code streams.retained.enabled: false} on the broker nodes.
 */
@Command(name = "tributary-retained", mixinStandardHelpOptions = true,
        description = "The compacted retained topic from the retained publishes of the message topics "
                + "(docs/streams-apps.md).")
public final class RetainedApp extends StreamsCommand<RetainedSettings> {

    public static void main(String[] args) {
        System.exit(execute(new RetainedApp(), args));
    }

    @Override
    protected String defaultApplicationId() {
        return RetainedTopology.applicationId(RetainedSettings.DEFAULT_RETAINED_TOPIC);
    }

    /** {@code message-topics}, {@code retained-topic}, {@code expiry-check-interval}. */
    @Override
    protected RetainedSettings settings(AppConfig config) {
        RetainedSettings d = RetainedSettings.defaults();
        List<String> messageTopics = config.list("message-topics", d.messageTopics());
        String retainedTopic = config.string("retained-topic", d.retainedTopic());
        try {
            return new RetainedSettings(messageTopics, retainedTopic,
                    config.duration("expiry-check-interval", d.expiryCheckInterval()));
        } catch (IllegalArgumentException e) {
            throw config.invalid("retained settings", e.getMessage());
        }
    }

    @Override
    protected Topology topology(RetainedSettings settings) {
        return RetainedTopology.build(settings);
    }

    /** The retained topic (compacted); the message topics belong to the broker. */
    @Override
    protected List<NewTopic> topics(RetainedSettings settings, int partitions, short replicationFactor) {
        return List.of(AppTopics.topic(settings.retainedTopic(), partitions, replicationFactor, true));
    }
}
