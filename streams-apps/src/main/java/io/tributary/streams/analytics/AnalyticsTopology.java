package io.tributary.streams.analytics;

import static org.apache.kafka.streams.kstream.Suppressed.untilWindowCloses;

import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroSerde;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.TopicWindowStats;
import io.tributary.schemas.analytics.WindowAccumulator;
import io.tributary.streams.TopicSpec;
import io.tributary.streams.analytics.MessageSampler.Sample;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Suppressed.BufferConfig;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The analytics app: per MQTT topic and per device, tumbling-window statistics of the messages (count, bytes, rate,
 * and min/max/mean/last of configured numeric JSON fields), written once per window when it closes; optionally each
 * device result is published back into MQTT.
 *
 * <pre>
 * message topics -> sample (skip $ topics) -+-> by topic  -> window -> reduce -> suppress -> analytics.topics
 *                                           +-> by device -> window -> reduce -> suppress -> analytics.devices
 *                                                                                        +-> publish-back -> messages
 * </pre>
 *
 * <p>Final results come from {@code suppress(untilWindowCloses)}, which is driven by stream time alone. (Kafka
 * Streams 4.4's {@code EmitStrategy.onWindowClose()} was tried first: it passed the driver tests, but a freshly
 * started app on a real Kafka wrote the first window of each key and then nothing more.)
 */
public final class AnalyticsTopology {

    /**
     * Names of the internal topics, stores and suppression buffers: renaming them loses the app's state, so they
     * are fixed here.
     */
    static final String TOPIC_SAMPLES = "topic-samples";
    static final String DEVICE_SAMPLES = "device-samples";
    static final String TOPIC_WINDOWS = "topic-windows";
    static final String DEVICE_WINDOWS = "device-windows";

    private AnalyticsTopology() {
    }

    /** The topics of the app, typed. */
    public record Topics(List<TopicSpec<byte[], byte[]>> messages, TopicSpec<String, TopicWindowStats> topicStats,
            TopicSpec<String, DeviceWindowStats> deviceStats, TopicSpec<byte[], byte[]> publishBack) {

        public static Topics of(AnalyticsSettings settings) {
            return new Topics(
                    settings.messageTopics().stream()
                            .map(name -> new TopicSpec<>(name, Serdes.ByteArray(), Serdes.ByteArray())).toList(),
                    new TopicSpec<>(settings.topicStatsTopic(), Serdes.String(),
                            new AvroSerde<>(AnalyticsCodecs.TOPIC_WINDOW_STATS)),
                    new TopicSpec<>(settings.deviceStatsTopic(), Serdes.String(),
                            new AvroSerde<>(AnalyticsCodecs.DEVICE_WINDOW_STATS)),
                    new TopicSpec<>(settings.publishBackTopic(), Serdes.ByteArray(), Serdes.ByteArray()));
        }
    }

    /** The topology for {@code settings}; pure, touches nothing outside. */
    public static Topology build(AnalyticsSettings settings) {
        Topics topics = Topics.of(settings);
        List<FieldPath> fields = settings.fields().stream().map(FieldPath::parse).toList();
        List<String> paths = settings.fields();
        DeviceSource deviceSource = settings.device();
        Serde<WindowAccumulator> accumulators = new AvroSerde<>(AnalyticsCodecs.WINDOW_ACCUMULATOR);
        TimeWindows windows = TimeWindows.ofSizeAndGrace(settings.windowSize(), settings.grace());

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Sample> samples = builder
                .stream(topics.messages().stream().map(TopicSpec::name).toList(),
                        topics.messages().get(0).consumed().withName("messages"))
                .process(() -> new MessageSampler(fields, deviceSource), Named.as("sample"));

        // per MQTT topic: the record key need not be the topic (a mapping rule may key by client id), so regroup
        samples.mapValues(Sample::stats, Named.as("topic-sample"))
                .groupByKey(Grouped.with(TOPIC_SAMPLES, Serdes.String(), accumulators))
                .windowedBy(windows)
                .reduce(Accumulators::merge, Named.as("topic-window"),
                        Materialized.<String, WindowAccumulator, WindowStore<Bytes, byte[]>>as(TOPIC_WINDOWS)
                                .withKeySerde(Serdes.String()).withValueSerde(accumulators))
                .suppress(untilWindowCloses(BufferConfig.unbounded()).withName("topic-window-close"))
                .toStream(Named.as("topic-window-closed"))
                .map((Windowed<String> w, WindowAccumulator acc) -> KeyValue.pair(w.key(),
                        Accumulators.topicStats(w.key(), w.window().start(), w.window().end(), acc, paths)),
                        Named.as("topic-stats"))
                .to(topics.topicStats().name(), topics.topicStats().produced().withName("topic-stats-out"));

        KStream<String, DeviceWindowStats> deviceStats = samples
                .filter((topic, sample) -> sample.device() != null, Named.as("has-device"))
                .map((topic, sample) -> KeyValue.pair(sample.device(), sample.stats()), Named.as("device-sample"))
                .groupByKey(Grouped.with(DEVICE_SAMPLES, Serdes.String(), accumulators))
                .windowedBy(windows)
                .reduce(Accumulators::merge, Named.as("device-window"),
                        Materialized.<String, WindowAccumulator, WindowStore<Bytes, byte[]>>as(DEVICE_WINDOWS)
                                .withKeySerde(Serdes.String()).withValueSerde(accumulators))
                .suppress(untilWindowCloses(BufferConfig.unbounded()).withName("device-window-close"))
                .toStream(Named.as("device-window-closed"))
                .map((Windowed<String> w, WindowAccumulator acc) -> KeyValue.pair(w.key(),
                        Accumulators.deviceStats(w.key(), w.window().start(), w.window().end(), acc, paths)),
                        Named.as("device-stats"));
        deviceStats.to(topics.deviceStats().name(), topics.deviceStats().produced().withName("device-stats-out"));

        if (settings.publishBack()) {
            deviceStats.process(PublishBack::new, Named.as("publish-back"))
                    .to(topics.publishBack().name(), topics.publishBack().produced().withName("publish-back-out"));
        }
        return builder.build();
    }
}
