package io.tributary.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A real Confluent-compatible Schema Registry for tests: Apicurio Registry 2.4 (in-memory storage), run as a
 * child process from the {@code quarkus-run.jar} that the {@code registry-apicurio} module builds, on a free
 * loopback port. {@link #start()} returns the base URL of its Confluent API ({@code .../apis/ccompat/v7}).
 *
 * <p>Tests that need one registry per JVM use {@link #shared()}; a test that needs its own (an empty registry,
 * a restart) creates one and closes it. A shutdown hook stops every registry still running when the JVM exits.
 *
 * <p>The runner jar is taken from the system property {@value #RUNNER_PROPERTY}, else found next to this class
 * in the {@code registry-apicurio/target} directory it was built in.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property naming {@code quarkus-run.jar}. */
    public static final String RUNNER_PROPERTY = "tributary.apicurio.runner";
    /** The Confluent-compatible API under the registry's root. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 60;
    private static final int START_ATTEMPTS = 3;

    private static final Object SHARED_LOCK = new Object();
    private static ApicurioRegistry shared;

    private final Path runner;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicReference<Process> process = new AtomicReference<>();
    private volatile Path workDir;
    private String baseUrl;
    private Duration startupTime;
    private Thread shutdownHook;

    /** A registry run from the runner jar found as described in the class comment. */
    public ApicurioRegistry() {
        this(locateRunner());
    }

    public ApicurioRegistry(Path runner) {
        this.runner = runner;
    }

    /** One registry for the whole test JVM, started on first use and stopped when the JVM exits: do not close it. */
    public static ApicurioRegistry shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null) {
                ApicurioRegistry registry = new ApicurioRegistry();
                registry.start();
                shared = registry;
            }
            return shared;
        }
    }

    /**
     * Starts the registry and returns once its Confluent API answers, with its base URL
     * ({@code http://127.0.0.1:<port>/apis/ccompat/v7}).
     *
     * @throws IllegalStateException if it does not answer within 60 s or exits, with the end of its log
     */
    public synchronized String start() {
        if (baseUrl != null) {
            return baseUrl;
        }
        if (!Files.isRegularFile(runner)) {
            throw new IllegalStateException("Apicurio Registry runner not found: " + runner
                    + " (build it with: mvn -pl registry-apicurio -am package, or set -D" + RUNNER_PROPERTY + ")");
        }
        long began = System.nanoTime();
        try {
            workDir = Files.createTempDirectory("tributary-apicurio-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        shutdownHook = new Thread(this::stopAndClean, "apicurio-registry-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // the free port can be taken between our probe and the registry's bind: then try another
        for (int attempt = 1; ; attempt++) {
            int port = freeLoopbackPort();
            Path log = workDir.resolve("registry-" + attempt + ".log");
            String root = "http://127.0.0.1:" + port;
            Process launched = launch(port, log);
            process.set(launched);
            String failure = awaitReady(launched, root + CCOMPAT_PATH + "/subjects");
            if (failure == null) {
                baseUrl = root + CCOMPAT_PATH;
                startupTime = Duration.ofNanos(System.nanoTime() - began);
                return baseUrl;
            }
            stopProcess();
            String tail = tail(log);
            boolean portTaken = tail.contains("in use by another process") || tail.contains("Address already in use");
            if (attempt < START_ATTEMPTS && portTaken) {
                continue;
            }
            // the log stays for a closer look
            removeShutdownHook();
            throw new IllegalStateException(failure + "; last lines of " + log + ":\n" + tail);
        }
    }

    /** The base URL of the Confluent API; the registry must have been started. */
    public synchronized String baseUrl() {
        if (baseUrl == null) {
            throw new IllegalStateException("not started");
        }
        return baseUrl;
    }

    /** How long {@link #start()} took until the API answered. */
    public synchronized Duration startupTime() {
        return startupTime;
    }

    /** The registry's process, for tests that measure it or make it fail. */
    public ProcessHandle process() {
        Process p = process.get();
        if (p == null) {
            throw new IllegalStateException("not started");
        }
        return p.toHandle();
    }

    /** Stops the registry (its data is gone) and removes its temporary directory. */
    @Override
    public synchronized void close() {
        stopProcess();
        removeShutdownHook();
        if (workDir != null) {
            deleteRecursively(workDir);
            workDir = null;
        }
        baseUrl = null;
    }

    /** The runner jar: {@value #RUNNER_PROPERTY}, else {@code target/quarkus-app/quarkus-run.jar} beside this class. */
    public static Path locateRunner() {
        String configured = System.getProperty(RUNNER_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        CodeSource source = ApicurioRegistry.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalStateException("cannot tell where " + ApicurioRegistry.class.getName()
                    + " was loaded from; set -D" + RUNNER_PROPERTY);
        }
        Path location;
        try {
            location = Paths.get(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + ApicurioRegistry.class.getName()
                    + " was loaded from; set -D" + RUNNER_PROPERTY, e);
        }
        // target/test-classes, or target/tributary-registry-apicurio-<version>-tests.jar in a reactor build
        for (Path dir = location; dir != null; dir = dir.getParent()) {
            if (dir.getFileName() != null && dir.getFileName().toString().equals("target")) {
                return dir.resolve("quarkus-app").resolve("quarkus-run.jar");
            }
        }
        throw new IllegalStateException(ApicurioRegistry.class.getName() + " was loaded from " + location
                + ", not from a registry-apicurio/target directory: run the build from the repository root"
                + " (mvn verify) or set -D" + RUNNER_PROPERTY);
    }

    private Process launch(int port, Path log) {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx256m",
                // small and quick to start on a shared 2-core machine; the registry does little work in tests
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.console.color=false",
                "-jar", runner.toString()));
        try {
            return new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void stopAndClean() {
        stopProcess();
        Path dir = workDir;
        if (dir != null) {
            deleteRecursively(dir);
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run
            }
            shutdownHook = null;
        }
    }

    /** Null once {@code url} answers 200, else why not. */
    private String awaitReady(Process launched, String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!launched.isAlive()) {
                return "Apicurio Registry exited with status " + launched.exitValue() + " while starting";
            }
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return null;
                }
            } catch (IOException notYetListening) {
                // keep polling
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for Apicurio Registry";
            }
            try {
                // polling a child process: there is no event to wait for
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for Apicurio Registry";
            }
        }
        return "Apicurio Registry did not answer GET " + url + " with 200 within " + START_TIMEOUT.toSeconds() + " s";
    }

    /** Not synchronized: the shutdown hook must not wait for a {@link #start()} in progress. */
    private void stopProcess() {
        Process p = process.getAndSet(null);
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
