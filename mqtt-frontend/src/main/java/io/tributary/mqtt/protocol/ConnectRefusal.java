package io.tributary.mqtt.protocol;

/**
 * Why a CONNECT is refused, with the CONNACK code each protocol version has for it.
 * A v3 code of -1 means MQTT 3.x has no code: the connection is closed without CONNACK.
 */
public enum ConnectRefusal {
    UNSUPPORTED_PROTOCOL_VERSION(0x01, 0x84),
    CLIENT_ID_REJECTED(0x02, 0x85),
    SERVER_UNAVAILABLE(0x03, 0x88),
    BAD_CREDENTIALS(0x04, 0x86),
    NOT_AUTHORIZED(0x05, 0x87),
    MALFORMED_PACKET(-1, 0x81),
    PROTOCOL_ERROR(-1, 0x82),
    PACKET_TOO_LARGE(-1, 0x95),
    BAD_AUTHENTICATION_METHOD(-1, 0x8C),
    TOPIC_NAME_INVALID(-1, 0x90);

    private final int v3Code;
    private final int v5Code;

    ConnectRefusal(int v3Code, int v5Code) {
        this.v3Code = v3Code;
        this.v5Code = v5Code;
    }

    public int v3Code() {
        return v3Code;
    }

    public int v5Code() {
        return v5Code;
    }
}
