package io.tributary.streams.analytics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.analytics.DeviceWindowStats;
import io.tributary.schemas.analytics.FieldStats;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Publishes a device's window result into MQTT: per field, a retained QoS 1 message on
 * {@code $analytics/<device>/<field>} with a small JSON document, written to a message topic as the broker writes
 * messages (key and {@code mqtt.topic} the MQTT topic, the header values the broker itself writes), so every broker
 * node delivers it to subscribers and keeps it as the topic's retained message.
 */
final class PublishBack implements Processor<String, DeviceWindowStats, byte[], byte[]> {

    /** The first level of the topics results are published on; a {@code $} topic, so the app skips them. */
    static final String TOPIC_ROOT = "$analytics";
    static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] QOS_1 = utf8("1");
    private static final byte[] TRUE = utf8("true");
    private static final byte[] JSON_TYPE = utf8(CONTENT_TYPE);
    private static final byte[] UTF8_FORMAT = utf8("1");
    /** MQTT strings carry a two-byte length. */
    private static final int MAX_TOPIC_BYTES = 65_535;

    private ProcessorContext<byte[], byte[]> context;

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, DeviceWindowStats> record) {
        DeviceWindowStats stats = record.value();
        String device = stats.getDevice();
        // a device from a client id may hold what cannot be one topic level: such a device is not published
        if (device.isEmpty() || device.indexOf('/') >= 0 || !MessageSampler.isTopicName(device)) {
            return;
        }
        for (FieldStats field : stats.getFields()) {
            byte[] topic = utf8(TOPIC_ROOT + "/" + device + "/" + field.getPath());
            if (topic.length > MAX_TOPIC_BYTES) {
                continue;
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(MessageHeaders.TOPIC, topic);
            headers.add(MessageHeaders.QOS, QOS_1);
            headers.add(MessageHeaders.RETAIN, TRUE);
            headers.add(MessageHeaders.CONTENT_TYPE, JSON_TYPE);
            headers.add(MessageHeaders.PAYLOAD_FORMAT, UTF8_FORMAT);
            context.forward(new Record<>(topic, document(stats, field), record.timestamp(), headers));
        }
    }

    static byte[] document(DeviceWindowStats stats, FieldStats field) {
        ObjectNode doc = JSON.createObjectNode()
                .put("windowStart", stats.getWindowStart().toEpochMilli())
                .put("windowEnd", stats.getWindowEnd().toEpochMilli())
                .put("count", field.getCount())
                .put("min", field.getMin())
                .put("max", field.getMax())
                .put("mean", field.getMean())
                .put("last", field.getLast());
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree of numbers", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
