package io.tributary.streams.fanout;

import io.tributary.streams.AppConfig;
import io.tributary.streams.AppTopics;
import io.tributary.streams.StreamsCommand;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;

/**
 * The fan-out app of routed mode on its own: {@code java -cp ... io.tributary.streams.fanout.FanoutApp --help}.
 * Run it this way with {@code streams.fanout.enabled: false} on the broker nodes. Records of other producers
 * without an {@code mqtt.topic} header are routed on their key as MQTT topic (the broker's mapping-rule templates
 * apply only when the nodes run the app).
 */
@Command(name = "tributary-fanout", mixinStandardHelpOptions = true,
        description = "Routed mode: each message to the broker nodes with a matching subscriber "
                + "(docs/streams-apps.md).")
public final class FanoutApp extends StreamsCommand<FanoutSettings> {

    public static void main(String[] args) {
        System.exit(execute(new FanoutApp(), args));
    }

    @Override
    protected String defaultApplicationId() {
        return FanoutTopology.applicationId(FanoutSettings.DEFAULT_DELIVERIES_TOPIC);
    }

    /**
     * {@code message-topics}, {@code subscriptions-topic}, {@code deliveries-topic}, {@code default-qos},
     * {@code watermark-interval}, {@code watermark-idle-interval}.
     */
    @Override
    protected FanoutSettings settings(AppConfig config) {
        FanoutSettings d = FanoutSettings.defaults();
        List<String> messageTopics = config.list("message-topics", d.messageTopics());
        String subscriptions = config.string("subscriptions-topic", d.subscriptionsTopic());
        String deliveries = config.string("deliveries-topic", d.deliveriesTopic());
        int qos = config.integer("default-qos", d.defaultQos());
        try {
            return new FanoutSettings(messageTopics, subscriptions, deliveries, List.of(), qos,
                    config.duration("watermark-interval", d.watermarkInterval()),
                    config.duration("watermark-idle-interval", d.watermarkIdleInterval()));
        } catch (IllegalArgumentException e) {
            throw config.invalid("fan-out settings", e.getMessage());
        }
    }

    @Override
    protected Topology topology(FanoutSettings settings) {
        return FanoutTopology.build(settings);
    }

    /** The deliveries topic; the message and subscriptions topics belong to the broker. */
    @Override
    protected List<NewTopic> topics(FanoutSettings settings, int partitions, short replicationFactor) {
        return List.of(AppTopics.topic(settings.deliveriesTopic(), partitions, replicationFactor, false));
    }
}
