package io.tributary.mqtt.server;

/** Names of the pipeline stages, so that handlers can find and replace each other. */
public final class ChannelHandlerNames {
    public static final String MQTT_DECODER = "mqttDecoder";
    public static final String MQTT_ENCODER = "mqttEncoder";
    public static final String CONNECT = "connect";
    public static final String KEEP_ALIVE = "keepAlive";
    public static final String CONNECTION = "connection";

    private ChannelHandlerNames() {
    }
}
