package io.envgrid.gateway.redis;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.id.SessionId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Every Redis key and channel the gateway reads or writes, built from its key prefix
 * ({@code envgrid.gateway.key-prefix}, default {@code {envgrid-gw}:}, a hash tag of its own) and, for the one
 * channel it listens to but does not own, the allocator's prefixes ({@code envgrid.gateway.allocator-key-prefix},
 * which must list the allocator's {@code envgrid.allocator.key-prefix} and its cells' prefixes). Ids inside keys are
 * encoded by {@link KeyPart}, so a worker id's own {@code :} never splits a key; a session id goes in as it is, and
 * only of the shape the gateway issues ({@link SessionId}), which has no {@code :}.
 */
@ApplicationScoped
public class GatewayKeys {

    private final String prefix;
    private final List<String> allocatorPrefixes;

    @Inject
    public GatewayKeys(GatewayConfig config) {
        this(config.keyPrefix(), config.allocatorKeyPrefix());
    }

    /** Keys under {@code prefix}; the allocator's channels under each of {@code allocatorPrefixes} (one per cell). */
    public GatewayKeys(String prefix, List<String> allocatorPrefixes) {
        this.prefix = prefix;
        this.allocatorPrefixes = List.copyOf(allocatorPrefixes);
    }

    /** Every key of the gateway starts with this. */
    public String prefix() {
        return prefix;
    }

    /** Hash of one MCP session (transport, protocol, worker, stream {@code owner} replica and {@code stream} id, {@code log_level}, one {@code sub:<uri>} per resource subscription). */
    public String mcpSession(String sessionId) {
        return mcpSessionKeyPrefix() + SessionId.keyPart(sessionId);
    }

    /**
     * What {@link #mcpSession} puts before the session id: a script that reads the records of a worker's sessions
     * builds their keys from it (they are under this prefix's hash tag, so in the slot of the worker's session set).
     */
    public String mcpSessionKeyPrefix() {
        return prefix + "session:";
    }

    /**
     * Stream (Redis {@code XADD}) of the last server-initiated messages of a Streamable HTTP session,
     * whose entry ids are the SSE event ids, so {@code GET /mcp} with {@code Last-Event-ID} can replay them.
     */
    public String mcpSessionEvents(String sessionId) {
        return prefix + "session:" + SessionId.keyPart(sessionId) + ":events";
    }

    /** Sorted set of MCP session ids by last use, for the idle sweep. */
    public String mcpSessionIndex() {
        return prefix + "sessions";
    }

    /** Set of the MCP session ids bound to a worker. */
    public String workerMcpSessions(String workerId) {
        return prefix + "worker:" + KeyPart.of(workerId) + ":sessions";
    }

    /** Set of the workers with at least one live MCP session (ids as given). */
    public String mcpWorkers() {
        return prefix + "workers";
    }

    /** Hash of what a worker holds: allocation key → the allocator's entry as JSON. */
    public String workerResources(String workerId) {
        return prefix + "worker:" + KeyPart.of(workerId) + ":resources";
    }

    /**
     * Sorted set of a worker's allocations whose outcome is unknown while they are settled: request id → when
     * the mark lapses (ms). The keep-alive renews only the worker's recorded leases while one is there.
     */
    public String unsettledRequests(String workerId) {
        return prefix + "worker:" + KeyPart.of(workerId) + ":unsettled";
    }

    /**
     * Sorted set of every worker's unsettled requests, the settle sweeper's index (no scan of the keyspace needed):
     * member {@link #unsettledMember} → when the request is next due to be settled (ms), or, while a replica holds
     * its claim ({@link #unsettledClaims}), when that claim lapses. Written in the same scripts as the marks.
     */
    public String unsettledDue() {
        return prefix + "unsettled:due";
    }

    /**
     * Hash of the claims on unsettled requests: member {@link #unsettledMember} → the replica settling it now (its
     * {@code Replica} id); the claim lapses at the member's score in {@link #unsettledDue}.
     */
    public String unsettledClaims() {
        return prefix + "unsettled:claims";
    }

    /**
     * The member naming one unsettled request in {@link #unsettledDue} and {@link #unsettledClaims}: both ids
     * encoded by {@link KeyPart} and joined with {@code :}, so the one {@code :} splits it back
     * ({@link #unsettledRequestOf}).
     */
    public static String unsettledMember(String workerId, String requestId) {
        return KeyPart.of(workerId) + ":" + KeyPart.of(requestId);
    }

    /** {@link #unsettledMember} back to {@code [worker id, request id]}; null for anything else. */
    public static String[] unsettledRequestOf(String member) {
        int colon = member.indexOf(':');
        if (colon < 0 || member.indexOf(':', colon + 1) >= 0) {
            return null;
        }
        return new String[] {KeyPart.decode(member.substring(0, colon)), KeyPart.decode(member.substring(colon + 1))};
    }

    /** Hash of a worker's explicit Sandbox sessions: resource type → session record as JSON. */
    public String sandboxSessions(String workerId) {
        return prefix + "sandbox:sessions:" + KeyPart.of(workerId);
    }

    /** Sorted set of Sandbox sessions ({@code type:worker}) by last use. */
    public String sandboxUsed() {
        return prefix + "sandbox:used";
    }

    /** The lock that picks the one replica renewing leases in a keep-alive period. */
    public String keepaliveLock() {
        return prefix + "keepalive-lock";
    }

    /** Channel of {@code notifications/cancelled}, heard by every replica. */
    public String cancelChannel() {
        return prefix + "ch:cancel";
    }

    /** Channel of one replica, relaying messages to the legacy SSE streams it holds. */
    public String replicaChannel(String replicaId) {
        return prefix + "ch:replica:" + replicaId;
    }

    /**
     * String of one revoked token, by its {@code jti} (a base64url id, so nothing to encode): the epoch ms until which
     * the token is refused, with that as its TTL, so the entry goes when the token would have expired anyway.
     */
    public String revokedToken(String jti) {
        return prefix + "revoked-token:" + jti;
    }

    /**
     * Set of the MCP sessions opened with the signed token {@code jti} (a base64url id), kept for the token's life: the
     * sessions a revocation of that token ends on every replica.
     */
    public String tokenMcpSessions(String jti) {
        return prefix + "token:" + jti + ":sessions";
    }

    /** Sorted set of the revoked {@code jti}s scored by the same epoch ms: what a replica reloads its view from. */
    public String revokedTokens() {
        return prefix + "revoked-tokens";
    }

    /** Channel on which a revocation ({@code <jti> <until epoch ms>}) reaches every replica at once. */
    public String revocationChannel() {
        return prefix + "ch:token-revoked";
    }

    /**
     * The allocator's channels of lease expiries and revocations, one per cell (resource-allocator-service
     * {@code RedisKeys.expiredChannel}).
     */
    public List<String> allocatorExpiryChannels() {
        return allocatorPrefixes.stream().map(p -> p + "ch:expired").toList();
    }
}
