package io.tributary.bridge.format;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.schemas.AvroCodec;
import io.tributary.schemas.message.MqttEnvelope;
import io.tributary.schemas.message.UserProperty;
import io.tributary.schemas.registry.ConfluentWireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Format {@code envelope}: the record value is an {@link MqttEnvelope} (payload and MQTT metadata) in the
 * Confluent wire format, registered under {@code <kafka topic>-value}. Any payload fits. The other way, the
 * subscriber gets the payload back.
 */
final class EnvelopePayloadCodec implements PayloadCodec {

    /** Avro instantiates only classes it trusts: the codec of our own record registers them. */
    static final AvroCodec<MqttEnvelope> ENVELOPE = AvroCodec.of(MqttEnvelope.class, 1);

    private final byte[] header;
    private final LongSupplier clock;

    EnvelopePayloadCodec(int schemaId, LongSupplier clock) {
        this.header = ConfluentWireFormat.header(schemaId);
        this.clock = clock;
    }

    @Override
    public byte[] encode(InboundPublish publish) {
        MessageProperties p = publish.properties();
        List<UserProperty> user = new ArrayList<>(p.userProperties().size());
        for (Map.Entry<String, String> property : p.userProperties()) {
            user.add(new UserProperty(property.getKey(), property.getValue()));
        }
        MqttEnvelope envelope = MqttEnvelope.newBuilder()
                .setTopic(publish.topic())
                .setPayload(ByteBuffer.wrap(publish.payload()))
                .setQos(publish.qos())
                .setRetain(publish.retain())
                .setClientId(publish.clientId())
                .setUsername(publish.username())
                .setPublishedAt(Instant.ofEpochMilli(clock.getAsLong()))
                .setPayloadFormatIndicator(p.payloadFormat())
                .setContentType(p.contentType())
                .setMessageExpirySeconds(p.messageExpirySeconds())
                .setResponseTopic(p.responseTopic())
                .setCorrelationData(p.correlationData() == null ? null : ByteBuffer.wrap(p.correlationData()))
                .setUserProperties(user)
                .build();
        return WireFormat.write(header, envelope, new SpecificDatumWriter<>(MqttEnvelope.class),
                publish.payload().length + 64);
    }

    @Override
    public byte[] decode(byte[] value) {
        if (!ConfluentWireFormat.isConfluentFormat(value)) {
            return value;
        }
        try {
            MqttEnvelope envelope = WireFormat.read(value, new SpecificDatumReader<>(MqttEnvelope.class));
            ByteBuffer payload = envelope.getPayload();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            return value;
        }
    }

    @Override
    public String toString() {
        return "envelope";
    }
}
