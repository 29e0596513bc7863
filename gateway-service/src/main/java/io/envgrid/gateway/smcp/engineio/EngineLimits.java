package io.envgrid.gateway.smcp.engineio;

/**
 * The bounds of an {@link EngineIoServer}: heartbeat, sizes and how many sessions may wait for their namespace connect.
 *
 * @param pingIntervalMs               the server pings this often (ms)
 * @param pingTimeoutMs                a pong must come within this (ms), else the connection closes
 * @param maxPayload                   largest payload a client may send (one POST body or WebSocket message), bytes
 * @param maxSendBuffer                most held for a slow reader (polling buffer or WebSocket write queue), characters
 * @param maxPendingSessions           sessions not yet {@link EngineSocket#authenticated() authenticated}, in all
 * @param maxPendingSessionsPerAddress the same per remote address
 * @param connectTimeoutMs             a session not authenticated this long after its handshake is closed (ms)
 */
public record EngineLimits(long pingIntervalMs, long pingTimeoutMs, int maxPayload, int maxSendBuffer,
        int maxPendingSessions, int maxPendingSessionsPerAddress, long connectTimeoutMs) {

    public EngineLimits {
        if (maxSendBuffer < maxPayload) {
            throw new IllegalArgumentException("the send buffer (" + maxSendBuffer + ") must hold at least one payload ("
                    + maxPayload + ")");
        }
    }
}
