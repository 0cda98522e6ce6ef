package io.tributary.bridge.format;

import io.tributary.bridge.publish.InboundPublish;

/**
 * Turns MQTT payloads into record values of one Kafka topic and back, as its mapping rule's
 * {@link PayloadFormat} says. Thread-safe; never talks to the network: schemas are resolved when it is made.
 */
public interface PayloadCodec {

    /** The record value for {@code publish}; {@link PayloadFormatException} if the payload does not fit. */
    byte[] encode(InboundPublish publish);

    /**
     * The MQTT payload of a record value of the topic. A value that is not in the expected form (a record another
     * producer wrote as it liked) is delivered as it is.
     */
    byte[] decode(byte[] value);

    /** The payload bytes as they are, both ways. */
    PayloadCodec RAW = new PayloadCodec() {
        @Override
        public byte[] encode(InboundPublish publish) {
            return publish.payload();
        }

        @Override
        public byte[] decode(byte[] value) {
            return value;
        }

        @Override
        public String toString() {
            return "raw";
        }
    };
}
