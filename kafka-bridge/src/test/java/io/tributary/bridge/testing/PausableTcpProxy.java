package io.tributary.bridge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 that can be paused: while paused it keeps every connection open, accepts new
 * ones, but forwards no byte in either direction (what arrives is held). After {@link #resume()} the held bytes
 * flow on. Tests use it to make Kafka "not answer" without stopping it.
 */
public final class PausableTcpProxy implements AutoCloseable {

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean paused;
    private volatile boolean closed;

    /** Listens on a free loopback port and forwards to {@code upstreamHost:upstreamPort}. */
    public PausableTcpProxy(String upstreamHost, int upstreamPort) {
        this(upstreamHost, upstreamPort, 0);
    }

    public PausableTcpProxy(String upstreamHost, int upstreamPort, int listenPort) {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        } catch (IOException e) {
            throw new UncheckedIOException("proxy cannot listen on port " + listenPort, e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Stops forwarding in both directions; connections stay open. */
    public void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    /** Forwards again, starting with what was held. */
    public void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    public boolean isPaused() {
        synchronized (gate) {
            return paused;
        }
    }

    @Override
    public void close() {
        closed = true;
        resume();
        closeQuietly(server);
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread connector = new Thread(() -> connect(client), "tcp-proxy-connect-" + client.getPort());
            connector.setDaemon(true);
            connector.start();
        }
    }

    private void connect(Socket client) {
        sockets.add(client);
        Socket target = new Socket();
        sockets.add(target);
        try {
            client.setTcpNoDelay(true);
            target.setTcpNoDelay(true);
            target.connect(upstream, 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(target);
            return;
        }
        pump(client, target, "up");
        pump(target, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitNotPaused();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // connection closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-" + direction + "-" + from.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitNotPaused() throws InterruptedException {
        synchronized (gate) {
            while (paused && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
