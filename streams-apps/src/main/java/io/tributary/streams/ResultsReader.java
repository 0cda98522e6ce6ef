package io.tributary.streams;

import io.tributary.schemas.AnalyticsCodecs;
import io.tributary.schemas.AvroCodec;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the records of a streams app's topic as text, one a line: timestamp, key and the value as JSON (Avro
 * values of any of our record types, told apart by their schema fingerprint; other values as UTF-8; a tombstone as
 * {@code null}). kcat shows the keys and headers but cannot decode Avro's single-object encoding.
 */
@Command(name = "tributary-read", mixinStandardHelpOptions = true,
        description = "Prints the records of an analytics or presence topic (docs/streams-apps.md).")
public final class ResultsReader implements Callable<Integer> {

    private static final List<AvroCodec<? extends SpecificRecord>> CODECS = List.of(
            AnalyticsCodecs.TOPIC_WINDOW_STATS, AnalyticsCodecs.DEVICE_WINDOW_STATS, AnalyticsCodecs.PRESENCE,
            AnalyticsCodecs.CLIENT_EVENT, AnalyticsCodecs.WINDOW_ACCUMULATOR);

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--follow", description = "Keep reading new records until stopped (Ctrl-C).")
    boolean follow;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ResultsReader()).execute(args));
    }

    /** The value as text: JSON for our Avro records, else UTF-8; null for a tombstone. */
    public static String text(byte[] value) {
        if (value == null) {
            return "null";
        }
        for (AvroCodec<? extends SpecificRecord> codec : CODECS) {
            if (codec.accepts(value)) {
                return codec.decode(value).toString();
            }
        }
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                System.err.println("tributary-read: no topic " + topic);
                return 1;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (follow || partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(Instant.ofEpochMilli(r.timestamp()) + "\t"
                            + (r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8)) + "\t"
                            + text(r.value()));
                }
            }
        }
        return 0;
    }
}
