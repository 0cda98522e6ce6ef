package io.tributary.mqtt.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Raw MQTT packets for tests, byte by byte as the specifications draw them. */
final class Packets {

    private Packets() {
    }

    /** A packet: first byte, then the remaining length (variable byte integer), then the body. */
    static byte[] packet(int firstByte, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        out.writeBytes(varInt(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A UTF-8 encoded string: two length bytes, then the bytes. */
    static byte[] string(String s) {
        return binary(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] binary(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data.length >> 8);
        out.write(data.length & 0xFF);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = value % 128;
            value /= 128;
            if (value > 0) {
                digit |= 0x80;
            }
            out.write(digit);
        } while (value > 0);
        return out.toByteArray();
    }

    /** MQTT 5 properties: their length, then the properties. */
    static byte[] properties(byte[]... props) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : props) {
            body.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(varInt(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] twoBytes(int value) {
        return bytes(value >> 8, value & 0xFF);
    }

    static byte[] fourBytes(long value) {
        return bytes((int) (value >> 24), (int) (value >> 16) & 0xFF, (int) (value >> 8) & 0xFF, (int) value & 0xFF);
    }

    // --- CONNECT

    static final int CLEAN = 0x02;
    static final int WILL = 0x04;
    static final int WILL_RETAIN = 0x20;
    static final int PASSWORD = 0x40;
    static final int USERNAME = 0x80;

    /** MQTT 3.1.1 CONNECT with the given flags; payload fields follow the flags in spec order. */
    static byte[] connect311(int flags, int keepAlive, String clientId, byte[]... rest) {
        return packet(0x10, string("MQTT"), bytes(4, flags), twoBytes(keepAlive), string(clientId), concat(rest));
    }

    static byte[] connect311(String clientId) {
        return connect311(CLEAN, 60, clientId);
    }

    /** MQTT 3.1 (MQIsdp, level 3) CONNECT. */
    static byte[] connect31(String clientId) {
        return packet(0x10, string("MQIsdp"), bytes(3, CLEAN), twoBytes(60), string(clientId));
    }

    /** MQTT 5 CONNECT with CONNECT properties (already encoded with {@link #properties}). */
    static byte[] connect5(int flags, int keepAlive, byte[] properties, String clientId, byte[]... rest) {
        return packet(0x10, string("MQTT"), bytes(5, flags), twoBytes(keepAlive), properties, string(clientId),
                concat(rest));
    }

    static byte[] connect5(String clientId) {
        return connect5(CLEAN, 60, properties(), clientId);
    }

    // --- PUBLISH

    static byte[] publish311(int qos, boolean dup, int packetId, String topic, String payload) {
        int first = 0x30 | (dup ? 0x08 : 0) | (qos << 1);
        return packet(first, string(topic), qos > 0 ? twoBytes(packetId) : new byte[0],
                payload.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] publish5(int qos, boolean dup, int packetId, String topic, byte[] properties, String payload) {
        int first = 0x30 | (dup ? 0x08 : 0) | (qos << 1);
        return packet(first, string(topic), qos > 0 ? twoBytes(packetId) : new byte[0], properties,
                payload.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] pubRel(int packetId) {
        return packet(0x62, twoBytes(packetId));
    }

    /** SUBSCRIBE (3.1.1): filter/options pairs, e.g. subscribe311(1, "a/#", 1). */
    static byte[] subscribe311(int packetId, Object... filterAndOptions) {
        return packet(0x82, twoBytes(packetId), filters(filterAndOptions));
    }

    /** SUBSCRIBE (5.0) with properties. */
    static byte[] subscribe5(int packetId, byte[] properties, Object... filterAndOptions) {
        return packet(0x82, twoBytes(packetId), properties, filters(filterAndOptions));
    }

    private static byte[] filters(Object... filterAndOptions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < filterAndOptions.length; i += 2) {
            out.writeBytes(string((String) filterAndOptions[i]));
            out.write((Integer) filterAndOptions[i + 1]);
        }
        return out.toByteArray();
    }

    static byte[] unsubscribe311(int packetId, String... filters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String f : filters) {
            out.writeBytes(string(f));
        }
        return packet(0xA2, twoBytes(packetId), out.toByteArray());
    }

    static byte[] unsubscribe5(int packetId, String... filters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String f : filters) {
            out.writeBytes(string(f));
        }
        return packet(0xA2, twoBytes(packetId), properties(), out.toByteArray());
    }

    static byte[] pubAck(int packetId) {
        return packet(0x40, twoBytes(packetId));
    }

    static byte[] pubRec(int packetId) {
        return packet(0x50, twoBytes(packetId));
    }

    static byte[] pubComp(int packetId) {
        return packet(0x70, twoBytes(packetId));
    }

    static final byte[] PINGREQ = bytes(0xC0, 0x00);
    static final byte[] DISCONNECT = bytes(0xE0, 0x00);

    // --- property encoders (MQTT 5 section 2.2.2.2)

    static byte[] intProperty4(int id, long value) {
        return concat(bytes(id), fourBytes(value));
    }

    static byte[] intProperty2(int id, int value) {
        return concat(bytes(id), twoBytes(value));
    }

    static byte[] byteProperty(int id, int value) {
        return bytes(id, value);
    }

    static byte[] stringProperty(int id, String value) {
        return concat(bytes(id), string(value));
    }

    static byte[] userProperty(String name, String value) {
        return concat(bytes(0x26), string(name), string(value));
    }
}
