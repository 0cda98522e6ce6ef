package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Debian tools the tests drive (mosquitto_pub, kcat). Where a tool is missing the test is skipped
 * with a message, unless the environment says the tools are required (CI sets REQUIRE_TEST_TOOLS=true).
 */
final class ExternalTools {

    private ExternalTools() {
    }

    static void require(String tool) {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                present = true;
                break;
            }
        }
        if (!present && Boolean.parseBoolean(System.getenv("REQUIRE_TEST_TOOLS"))) {
            throw new AssertionError(tool + " is not installed (apt-get install mosquitto-clients kcat)");
        }
        assumeTrue(present, tool + " is not installed; apt-get install mosquitto-clients kcat to run this test");
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command to completion (at most 60 s) and returns its output. */
    static Result run(String... command) throws IOException, InterruptedException {
        require(command[0]);
        Path out = Files.createTempFile("tool-out", ".txt");
        Path err = Files.createTempFile("tool-err", ".txt");
        try {
            Process process = new ProcessBuilder(List.of(command))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            assertThat(finished).as("%s finished", String.join(" ", command)).isTrue();
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static List<String> args(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
