package io.envgrid.deviceagent.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) on {@code /ws} that keeps every message it receives. */
public final class EventListener implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    private EventListener(URI httpUri) {
        URI ws = URI.create(httpUri.toString().replaceFirst("^http", "ws"));
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws, this).join();
    }

    public static EventListener open(URI httpUri) {
        return new EventListener(httpUri);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                received.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    /** Waits for the first message of {@code type} whose data matches. */
    public JsonNode await(String type, Predicate<JsonNode> data) {
        Conditions.await(() -> find(type, data).isPresent(), "a '" + type + "' event on /ws");
        return find(type, data).orElseThrow();
    }

    private Optional<JsonNode> find(String type, Predicate<JsonNode> data) {
        return received.stream().filter(m -> m.path("type").asText().equals(type) && data.test(m.path("data")))
                .findFirst();
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
}
