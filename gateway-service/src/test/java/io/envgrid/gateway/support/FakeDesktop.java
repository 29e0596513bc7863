package io.envgrid.gateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Stand-in for a desktop VM, since no VM exists on a test machine: it answers the OSWorld in-VM
 * server routes the vm-controller uses (screenshot, accessibility, screen size, cursor, platform,
 * execute) with OSWorld's shapes and records every command it is sent. The end-to-end tests use
 * the device agent's real desktop endpoint under Xvfb instead.
 */
public final class FakeDesktop implements AutoCloseable {

    /** A valid 1×1 PNG. */
    public static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private final HttpServer server;
    private final List<String> executed = new CopyOnWriteArrayList<>();

    private FakeDesktop(HttpServer server) {
        this.server = server;
    }

    public static FakeDesktop start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            FakeDesktop desktop = new FakeDesktop(server);
            server.createContext("/screenshot", x -> reply(x, "image/png", PNG));
            server.createContext("/accessibility", x -> json(x, "{\"AT\": \"<desktop-frame name=\\\"fake\\\"/>\"}"));
            server.createContext("/screen_size", x -> json(x, "{\"width\": 1920, \"height\": 1080}"));
            server.createContext("/cursor_position", x -> json(x, "[10, 20]"));
            server.createContext("/platform", x -> reply(x, "text/plain", "Linux".getBytes(StandardCharsets.UTF_8)));
            server.createContext("/execute", x -> {
                desktop.executed.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                json(x, "{\"status\": \"success\", \"output\": \"\", \"error\": \"\", \"returncode\": 0}");
            });
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.start();
            return desktop;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The JSON bodies of every {@code /execute} call, in order. */
    public List<String> executed() {
        return executed;
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        reply(exchange, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, String type, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
