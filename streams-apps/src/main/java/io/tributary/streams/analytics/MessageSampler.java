package io.tributary.streams.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.bridge.publish.MessageHeaders;
import io.tributary.schemas.analytics.WindowAccumulator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a message record into a {@link Sample} keyed by its MQTT topic: the topic from the {@code mqtt.topic}
 * header, else the record key (other producers' records); the device; the payload size and the configured JSON
 * numbers. Skips tombstones, records without a topic and {@code $} topics (the app's own results published back
 * into MQTT are on {@code $analytics/...}, so they never loop).
 *
 * <p>Samples carry no headers: the message's headers must not reach the repartition and result topics.
 */
final class MessageSampler implements Processor<byte[], byte[], String, MessageSampler.Sample> {

    /** One message: its device (null if none) and its statistics as an accumulator of count 1. */
    record Sample(String device, WindowAccumulator stats) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<FieldPath> fields;
    private final DeviceSource deviceSource;
    private ProcessorContext<String, Sample> context;

    MessageSampler(List<FieldPath> fields, DeviceSource deviceSource) {
        this.fields = fields;
        this.deviceSource = deviceSource;
    }

    @Override
    public void init(ProcessorContext<String, Sample> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] payload = record.value();
        if (payload == null) {
            return;
        }
        Header topicHeader = record.headers().lastHeader(MessageHeaders.TOPIC);
        // as the broker decides: the header if there is one (even an invalid one), else the key
        String topic = utf8(topicHeader != null ? topicHeader.value() : record.key());
        if (!isTopicName(topic) || topic.charAt(0) == '$') {
            return;
        }
        Header clientHeader = record.headers().lastHeader(MessageHeaders.CLIENT_ID);
        String device = deviceSource.deviceOf(topic, clientHeader == null ? null : utf8(clientHeader.value()));
        WindowAccumulator stats = Accumulators.ofMessage(payload.length, values(payload), record.timestamp());
        context.forward(new Record<>(topic, new Sample(device, stats), record.timestamp()));
    }

    /** The configured fields that are numbers in a JSON object payload, in the configured order. */
    private Map<String, Double> values(byte[] payload) {
        if (fields.isEmpty() || !startsLikeObject(payload)) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (IOException e) {
            return Map.of(); // not JSON after all: counted, without fields
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (FieldPath field : fields) {
            Double value = field.valueIn(root);
            if (value != null) {
                values.put(field.path(), value);
            }
        }
        return values;
    }

    // saves a parse attempt (and its exception) for every binary or plain-text payload
    private static boolean startsLikeObject(byte[] payload) {
        for (byte b : payload) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return false;
    }

    /** A valid MQTT topic name (MQTT 4.7.3): not empty, no wildcards, no U+0000. */
    static boolean isTopicName(String topic) {
        return topic != null && !topic.isEmpty() && topic.indexOf('+') < 0 && topic.indexOf('#') < 0
                && topic.indexOf('\0') < 0;
    }

    /** Strict UTF-8, or null: a topic that is not valid UTF-8 is no MQTT topic. */
    private static String utf8(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
