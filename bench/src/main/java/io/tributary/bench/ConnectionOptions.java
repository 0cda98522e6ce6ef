package io.tributary.bench;

import io.netty.handler.codec.mqtt.MqttVersion;
import picocli.CommandLine.Option;

import java.util.Locale;

/** Broker and CONNECT options shared by {@link PublishBench} and {@link E2eBench} (a picocli mixin). */
final class ConnectionOptions {

    @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "1883", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--protocol", defaultValue = "3.1.1", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = {"-u", "--username"}, description = "Username for CONNECT.")
    String username;

    @Option(names = {"-P", "--password"}, description = "Password for CONNECT.")
    String password;

    @Option(names = "--keep-alive", defaultValue = "60", description = "Keep-alive seconds (default: ${DEFAULT-VALUE}).")
    int keepAlive;

    @Option(names = "--nio", description = "Use the NIO transport even where epoll is available.")
    boolean nio;

    MqttVersion protocolVersion() {
        return parseProtocol(protocol);
    }

    static MqttVersion parseProtocol(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "3.1.1", "311", "4" -> MqttVersion.MQTT_3_1_1;
            case "5", "5.0" -> MqttVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--protocol must be 3.1.1 or 5: " + value);
        };
    }
}
