package io.tributary.bridge.format;

import io.tributary.bridge.MessageProperties;
import io.tributary.bridge.publish.InboundPublish;
import io.tributary.schemas.AvroCodec;
import io.tributary.schemas.message.MqttEnvelope;
import io.tributary.schemas.message.UserProperty;
import io.tributary.schemas.registry.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.io.DecoderFactory;

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
        ByteArrayOutputStream out = new ByteArrayOutputStream(publish.payload().length + 64);
        out.writeBytes(header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(MqttEnvelope.class).write(envelope, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] decode(byte[] value) {
        if (!ConfluentWireFormat.isConfluentFormat(value)) {
            return value;
        }
        try {
            MqttEnvelope envelope = new SpecificDatumReader<>(MqttEnvelope.class).read(null,
                    DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                            value.length - ConfluentWireFormat.HEADER_LENGTH, null));
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
