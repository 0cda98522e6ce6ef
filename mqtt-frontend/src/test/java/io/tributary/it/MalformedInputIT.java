package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad bytes on one connection close that connection only; everyone else goes on being served. */
class MalformedInputIT {

    private static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.builder().start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Sends raw bytes and returns what the server answered before closing (-1 terminated). */
    private static byte[] exchange(byte[]... packets) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            for (byte[] p : packets) {
                out.write(p);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            return in.readAllBytes(); // returns when the server closes
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static final byte[] CONNECT_5 = bytes(0x10, 0x0E, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3C,
            0x00, 0x00, 0x01, 'x');

    @Test
    void garbageInsteadOfConnectIsClosed() throws Exception {
        assertThat(exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertOthersAreServed();
    }

    @Test
    void wildcardTopicGetsDisconnectWithTopicNameInvalid() throws Exception {
        byte[] publish = bytes(0x30, 0x06, 0x00, 0x03, 'a', '/', '#', 0x00);
        byte[] answer = exchange(CONNECT_5, publish);
        // CONNACK (with properties), then DISCONNECT 0x90
        int disconnectAt = answer[1] + 2;
        assertThat(answer[0]).isEqualTo((byte) 0x20);
        assertThat(answer[disconnectAt]).isEqualTo((byte) 0xE0);
        assertThat(answer[disconnectAt + 2]).isEqualTo((byte) 0x90);
        assertOthersAreServed();
    }

    @Test
    void truncatedStreamAndResetLeaveTheServerServing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.getOutputStream().write(bytes(0x10, 0x7F, 0x00, 0x04, 'M', 'Q'));
            socket.setSoLinger(true, 0); // RST instead of FIN
        }
        assertOthersAreServed();
    }

    private static void assertOthersAreServed() throws Exception {
        MqttClient client = new MqttClient(node.url(), "bystander-" + System.nanoTime(), new MemoryPersistence());
        client.connect(new MqttConnectOptions());
        client.publish("still/here", "yes".getBytes(StandardCharsets.UTF_8), 1, false);
        client.disconnect();
        client.close();
    }
}
