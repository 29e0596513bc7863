package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.RevokedTokens;
import io.envgrid.gateway.security.TokenVerifier;
import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.handshake.VersionGate;
import io.envgrid.gateway.smcp.socketio.ConnectRefusal;
import io.envgrid.gateway.smcp.socketio.NamespaceHandler;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Namespace {@code /smcp}: admits clients by the {@code token} of their connect {@code auth} (the gateway's tokens;
 * open when the gateway has none), keeps the principal the token proved on the member (it decides which offices the
 * member may enter, see {@link RoomEvents}), gives each the generation its {@code a2c_version} chose, and routes its
 * events. A client's events take effect in the order it sent them; a client with more than
 * {@code max-queued-events} of them not yet handled is disconnected. Unknown events are ignored, as by the reference.
 *
 * <p>A token principal holds at most {@code max-connections-per-principal} connections on this replica; one more is
 * refused with CONNECT_ERROR {@code {message:"Too many connections", data:{code:429, message, details:{limit,
 * scope:"principal"}}}}. A signed token's expiry ends its connection: a timer disconnects the socket when the token
 * expires (Socket.IO DISCONNECT, so the client does not reconnect with it by itself), and an event arriving after
 * the expiry is not handled but disconnects too; the member leaves its office as on any disconnect.
 *
 * <p>A revoked token ({@link RevokedTokens}) is refused at connect like any invalid one; its live connections on
 * every replica end when the revocation message arrives, and each event of such a connection is first checked
 * against Redis itself, so an event is refused (and the connection ended) even when the message never came.
 */
@ApplicationScoped
public class SmcpNamespace implements NamespaceHandler {

    /** The reference's refusal ({@code ConnectionRefusedError}), whatever was wrong with the auth. */
    static final String REFUSED = "Invalid connection request";
    static final String TOO_MANY = "Too many connections";
    private static final Logger LOG = Logger.getLogger(SmcpNamespace.class);

    private final TokenVerifier tokens;
    private final RevokedTokens revoked;
    private final long expiryTimerDelayMs;
    private final RoomEvents rooms;
    private final ClientCalls calls;
    private final OfficeMembership membership;
    private final ReplicaBus bus;
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final int maxQueuedEvents;
    private final PrincipalConnections connections;
    private final Vertx vertx;
    private final ObjectMapper json;

    public SmcpNamespace(TokenVerifier tokens, RoomEvents rooms, ClientCalls calls, OfficeMembership membership,
            ReplicaBus bus, SmcpConfig config, Vertx vertx, ObjectMapper json, RevokedTokens revoked) {
        this.tokens = tokens;
        this.revoked = revoked;
        this.expiryTimerDelayMs = config.expiryTimerDelay().toMillis();
        revoked.onRevoked(this::endConnectionsOf);
        this.connections = new PrincipalConnections(config.maxConnectionsPerPrincipal());
        this.vertx = vertx;
        this.json = json;
        this.maxQueuedEvents = config.maxQueuedEvents();
        this.rooms = rooms;
        this.calls = calls;
        this.membership = membership;
        this.bus = bus;
    }

    /** The namespace this handler serves. */
    public static String name() {
        return SmcpEvents.NAMESPACE;
    }

    @Override
    public ConnectRefusal connect(NamespaceSocket socket, JsonNode auth, Map<String, String> handshakeQuery) {
        Principal principal = Principal.Open.INSTANCE;
        if (tokens.enabled()) {
            JsonNode token = auth == null ? null : auth.get("token");
            if (token == null || !token.isTextual()
                    || !(revoked.screen(tokens.authenticate("Bearer " + token.asText()))
                            instanceof Authentication.Accepted accepted)) {
                return ConnectRefusal.of(REFUSED);
            }
            principal = accepted.principal();
        }
        if (!connections.admit(principal)) {
            LOG.infof("SMCP connection of '%s' refused: it holds %d on this replica", principal.name(), connections.max());
            return tooMany();
        }
        String version = handshakeQuery.get(VersionGate.PARAM);
        Member member = new Member(socket, VersionGate.generationOf(version), version, principal);
        members.put(socket.sid(), member);
        bus.register(member);
        Instant expiry = principal.expiry();
        if (expiry != null) {
            long ms = Math.max(1, Duration.between(Instant.now(), expiry).toMillis() + expiryTimerDelayMs);
            member.expiryTimer = vertx.setTimer(ms, t -> expire(member));
        }
        return null;
    }

    private ConnectRefusal tooMany() {
        ObjectNode data = json.createObjectNode().put("code", 429).put("message", TOO_MANY + " for this token's principal");
        data.putObject("details").put("limit", connections.max()).put("scope", "principal");
        return new ConnectRefusal(TOO_MANY, data);
    }

    /** The member's token has expired: its socket is disconnected (and leaves its office, {@link #onDisconnect}). */
    private void expire(Member member) {
        if (members.containsKey(member.sid())) {
            LOG.infof("SMCP connection %s of '%s': its token expired, disconnected", member.sid(), member.principal.name());
            member.socket.disconnect();
        }
    }

    /** A token was revoked: every connection of it on this replica ends now (its member leaves its office). */
    private void endConnectionsOf(String jti) {
        members.values().stream().filter(m -> jti.equals(m.principal.tokenId())).forEach(m -> {
            LOG.infof("SMCP connection %s of '%s': its token was revoked, disconnected", m.sid(), m.principal.name());
            m.socket.disconnect();
        });
    }

    /**
     * Whether the member's token may still act, asked of Redis for a token that can be revoked (so no event relies on
     * the revocation message having arrived); a revoked one's connection is ended.
     */
    private Uni<Boolean> stillValid(Member member) {
        String jti = member.principal.tokenId();
        if (jti == null) {
            return Uni.createFrom().item(true);
        }
        return revoked.stored(jti).map(isRevoked -> {
            if (isRevoked) {
                LOG.infof("SMCP event of %s refused: its token was revoked", member.sid());
                member.socket.disconnect();
            }
            return !isRevoked;
        });
    }

    @Override
    public void onEvent(NamespaceSocket socket, String event, ArrayNode args, Long ackId) {
        Member member = members.get(socket.sid());
        if (member == null) {
            return;
        }
        if (member.principal.expiredAt(Instant.now())) {
            expire(member); // the timer may not have fired yet: no event of an expired token is handled
            return;
        }
        if (revoked.known(member.principal.tokenId())) {
            member.socket.disconnect(); // the message's own disconnect may still be on its way
            return;
        }
        if (SmcpEvents.TOOL_CALL_PROGRESS.equals(event)) {
            // outside the member's queue, as acks are: a report must not fall behind the answer that follows it, so
            // it is checked against this replica's view of revocations only (no Redis round trip)
            calls.progress(member, args, ackId);
            return;
        }
        if (member.queued() >= maxQueuedEvents) {
            // the client sends faster than its events are handled: drop it rather than queue without end
            LOG.infof("SMCP client %s has %d events waiting: disconnected", socket.sid(), maxQueuedEvents);
            socket.closeConnection("too many queued events");
            return;
        }
        member.serially(() -> stillValid(member)
                .chain(valid -> valid && members.containsKey(socket.sid()) ? route(member, event, args, ackId)
                        : Uni.createFrom().voidItem())
                .onFailure().invoke(e -> LOG.warnf(e, "SMCP %s from %s failed", event, socket.sid()))
                .subscribeAsCompletionStage());
    }

    private Uni<Void> route(Member member, String event, ArrayNode args, Long ackId) {
        if (SmcpEvents.CLIENT_CALLS.containsKey(event)) {
            return calls.call(member, event, args, ackId);
        }
        if (SmcpEvents.UPDATES.containsKey(event)) {
            return calls.update(member, event, args, ackId);
        }
        return switch (event) {
            case SmcpEvents.JOIN_OFFICE -> rooms.join(member, args, ackId);
            case SmcpEvents.LEAVE_OFFICE -> rooms.leave(member, args, ackId);
            case SmcpEvents.LIST_ROOM -> rooms.listRoom(member, args, ackId);
            case SmcpEvents.TOOL_CALL_CANCEL -> calls.cancel(member, args, ackId);
            default -> Uni.createFrom().voidItem();
        };
    }

    @Override
    public void onDisconnect(NamespaceSocket socket, String reason) {
        Member member = members.remove(socket.sid());
        if (member == null) {
            return;
        }
        connections.release(member.principal);
        if (member.expiryTimer >= 0) {
            vertx.cancelTimer(member.expiryTimer);
        }
        member.serially(() -> {
            bus.unregister(member.sid());
            Uni<Void> left = member.officeId == null ? Uni.createFrom().voidItem() : membership.leave(member);
            return left.onFailure().invoke(e -> LOG.warnf(e, "SMCP member %s could not leave its office", member.sid()))
                    .subscribeAsCompletionStage();
        });
    }
}
