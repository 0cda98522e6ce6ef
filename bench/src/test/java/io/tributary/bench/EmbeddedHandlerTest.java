package io.tributary.bench;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * What the handler tests share: the handler under test in an {@link EmbeddedChannel} (no codec, no
 * network), released after each test, and its config parsed from command-line options.
 */
abstract class EmbeddedHandlerTest {

    EmbeddedChannel channel;

    @AfterEach
    void closeChannel() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** {@code command} with {@code args} parsed as on the command line. */
    static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    /** Runs the pending tasks, then returns everything written since the last call. */
    List<MqttMessage> outbound() {
        channel.runPendingTasks();
        List<MqttMessage> out = new ArrayList<>();
        MqttMessage m;
        while ((m = channel.readOutbound()) != null) {
            out.add(m);
        }
        return out;
    }
}
