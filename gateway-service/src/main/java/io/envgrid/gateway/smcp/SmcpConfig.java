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

    /** Largest Engine.IO payload (one polling POST or one WebSocket frame), in bytes. */
    @WithDefault("1000000")
    int maxPayload();

    /** How long a relayed {@code client:*} call other than {@code client:tool_call} waits for the Computer (python-socketio's default). */
    @WithDefault("60s")
    Duration relayTimeout();
}
