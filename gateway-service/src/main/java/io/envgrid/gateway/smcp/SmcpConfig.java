package io.envgrid.gateway.smcp;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the A2C-SMCP signalling server ({@code envgrid.gateway.smcp.*}). */
@ConfigMapping(prefix = "envgrid.gateway.smcp")
public interface SmcpConfig {

    /**
     * Engine.IO heartbeat: the server pings this often. A member whose client stops answering keeps its seat
     * in its office for at most {@code pingInterval + pingTimeout} (the protocol's recovery window).
     */
    @WithDefault("25s")
    Duration pingInterval();

    /** How long the server waits for a pong before it drops the connection (and its office seat). */
    @WithDefault("20s")
    Duration pingTimeout();

    /**
     * Largest Engine.IO payload a client may send (one polling POST or one WebSocket message), in bytes: Engine.IO's
     * {@code maxHttpBufferSize}. A larger one closes the connection (a POST is answered 413), as the reference does.
     * Polling bodies are also bounded by {@code quarkus.http.limits.max-body-size} (1M), whose own 413 leaves the
     * session open (the body is not read either); keep this below it.
     */
    @WithDefault("1000000")
    int maxPayload();

    /**
     * Most the server holds for one connection that does not read fast enough, in characters: packets waiting
     * for the next poll, or bytes in the WebSocket's write queue. Past it the connection is closed.
     */
    @WithDefault("2000000")
    int maxSendBuffer();

    /** Engine.IO sessions open on this replica that have not yet connected to {@code /smcp} with a valid token. */
    @WithDefault("1000")
    int maxPendingSessions();

    /** As {@link #maxPendingSessions()}, per remote address (the proxy's, unless forwarding is configured). */
    @WithDefault("32")
    int maxPendingSessionsPerAddress();

    /** A session that has not connected to {@code /smcp} with a valid token this long after its handshake is closed. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Events of one connection received but not yet handled; a client that sends faster is disconnected. */
    @WithDefault("64")
    int maxQueuedEvents();

    /**
     * Authenticated {@code /smcp} connections one token principal may hold on this replica; one more is refused with
     * CONNECT_ERROR {@code "Too many connections"} ({@code data.code} 429). Open mode's callers are not counted.
     */
    @WithDefault("64")
    int maxConnectionsPerPrincipal();

    /** Longest {@code name} a member may take, in characters ({@code office_id} follows the id rule: 200). */
    @WithDefault("128")
    int maxNameLength();

    /**
     * {@code client:*} calls one socket may have waiting for an answer: an agent's calls (also an MCP session's calls
     * through the bridge), and the calls a Computer has been asked and not answered. One more is refused with
     * {@code {code:429}} (the bridge: an {@code isError} result, {@code RATE_LIMITED}).
     */
    @WithDefault("32")
    int maxPendingCallsPerSocket();

    /**
     * {@code client:*} calls into one office this replica may have waiting at once, the bridge's included; one more is
     * refused (429).
     */
    @WithDefault("128")
    int maxPendingCallsPerOffice();

    /**
     * The longest a {@code client:tool_call} waits, whatever {@code timeout} it asks for (larger ones are clamped); a
     * bridged call waits the smaller of this and {@code envgrid.gateway.downstream.action-timeout}.
     */
    @WithDefault("600s")
    Duration maxCallTimeout();

    /** How long a relayed {@code client:*} call other than {@code client:tool_call} waits for the Computer (python-socketio's default). */
    @WithDefault("60s")
    Duration relayTimeout();

    /**
     * How long after a token's expiry its connection's timer ends it (0: at the expiry). The per-event check refuses
     * from the expiry on regardless; a delay exists so a test can show that check on its own. Leave it at 0.
     */
    @WithDefault("0s")
    Duration expiryTimerDelay();
}
