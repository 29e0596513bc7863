package io.envgrid.deviceagent.computer.hosting;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A transport of the MCP Java SDK that can cancel a {@code tools/call} it carried. The SDK (2.1.0) numbers requests
 * itself and never sends {@code notifications/cancelled} when a call is abandoned, so this layer notes the JSON-RPC
 * id of each {@code tools/call} whose {@code _meta} carries {@link #CALL_KEY}, and sends the MCP cancellation with
 * that id when asked ({@code notifications/cancelled {requestId, reason}}, MCP 2025-06-18 "Cancellation").
 */
final class CancellableTransport implements McpClientTransport {

    /** The {@code _meta} key of a {@code tools/call} that names the call on this Computer. */
    static final String CALL_KEY = "envgrid.io/call-key";

    private final McpClientTransport delegate;
    private final Map<String, Object> requestIds = new ConcurrentHashMap<>();
    /** Calls cancelled before their request went out: the cancellation follows the request at once. */
    private final Map<String, String> cancelledEarly = new ConcurrentHashMap<>();

    CancellableTransport(McpClientTransport delegate) {
        this.delegate = delegate;
    }

    /** The wrapped transport (for the stdio process watch). */
    McpClientTransport delegate() {
        return delegate;
    }

    /**
     * Sends {@code notifications/cancelled} for the call {@code callKey}; when its request has not gone out yet
     * (the SDK sends on subscription, on another thread), right after it does.
     */
    Mono<Void> cancel(String callKey, String reason) {
        Object requestId;
        synchronized (this) {
            requestId = requestIds.remove(callKey);
            if (requestId == null) {
                cancelledEarly.put(callKey, reason);
                return Mono.empty();
            }
        }
        return cancelled(requestId, reason);
    }

    /** Drops what is known about a finished call. */
    void forget(String callKey) {
        requestIds.remove(callKey);
        cancelledEarly.remove(callKey);
    }

    private Mono<Void> cancelled(Object requestId, String reason) {
        return delegate.sendMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION,
                "notifications/cancelled", Map.of("requestId", requestId, "reason", reason)));
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest request && "tools/call".equals(request.method())) {
            Object key = callKey(request.params());
            if (key instanceof String k) {
                String reason;
                synchronized (this) {
                    reason = cancelledEarly.remove(k);
                    if (reason == null) {
                        requestIds.put(k, request.id());
                    }
                }
                if (reason != null) {
                    return delegate.sendMessage(message).then(cancelled(request.id(), reason));
                }
            }
        }
        return delegate.sendMessage(message);
    }

    private static Object callKey(Object params) {
        Map<?, ?> meta = null;
        if (params instanceof McpSchema.CallToolRequest call) {
            meta = call.meta();
        } else if (params instanceof Map<?, ?> map && map.get("_meta") instanceof Map<?, ?> m) {
            meta = m;
        }
        return meta == null ? null : meta.get(CALL_KEY);
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }
}
