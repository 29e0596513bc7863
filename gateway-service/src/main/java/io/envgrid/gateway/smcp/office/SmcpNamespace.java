package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.security.Authentication;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.TokenVerifier;
import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.handshake.VersionGate;
import io.envgrid.gateway.smcp.socketio.NamespaceHandler;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Namespace {@code /smcp}: admits clients by the {@code token} of their connect {@code auth} (the gateway's tokens;
 * open when the gateway has none), keeps the principal the token proved on the member (it decides which offices the
 * member may enter, see {@link RoomEvents}), gives each the generation its {@code a2c_version} chose, and routes its
 * events. A client's events take effect in the order it sent them; a client with more than
 * {@code max-queued-events} of them not yet handled is disconnected. Unknown events are ignored, as by the reference.
 */
@ApplicationScoped
public class SmcpNamespace implements NamespaceHandler {

    /** The reference's refusal ({@code ConnectionRefusedError}), whatever was wrong with the auth. */
    static final String REFUSED = "Invalid connection request";
    private static final Logger LOG = Logger.getLogger(SmcpNamespace.class);

    private final TokenVerifier tokens;
    private final RoomEvents rooms;
    private final ClientCalls calls;
    private final OfficeMembership membership;
    private final ReplicaBus bus;
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final int maxQueuedEvents;

    public SmcpNamespace(TokenVerifier tokens, RoomEvents rooms, ClientCalls calls, OfficeMembership membership,
            ReplicaBus bus, SmcpConfig config) {
        this.tokens = tokens;
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
    public String connect(NamespaceSocket socket, JsonNode auth, Map<String, String> handshakeQuery) {
        Principal principal = Principal.Open.INSTANCE;
        if (tokens.enabled()) {
            JsonNode token = auth == null ? null : auth.get("token");
            if (token == null || !token.isTextual()
                    || !(tokens.authenticate("Bearer " + token.asText()) instanceof Authentication.Accepted accepted)) {
                return REFUSED;
            }
            principal = accepted.principal();
        }
        String version = handshakeQuery.get(VersionGate.PARAM);
        Member member = new Member(socket, VersionGate.generationOf(version), version, principal);
        members.put(socket.sid(), member);
        bus.register(member);
        return null;
    }

    @Override
    public void onEvent(NamespaceSocket socket, String event, ArrayNode args, Long ackId) {
        Member member = members.get(socket.sid());
        if (member == null) {
            return;
        }
        if (member.queued() >= maxQueuedEvents) {
            // the client sends faster than its events are handled: drop it rather than queue without end
            LOG.infof("SMCP client %s has %d events waiting: disconnected", socket.sid(), maxQueuedEvents);
            socket.closeConnection("too many queued events");
            return;
        }
        member.serially(() -> route(member, event, args, ackId)
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
        member.serially(() -> {
            bus.unregister(member.sid());
            Uni<Void> left = member.officeId == null ? Uni.createFrom().voidItem() : membership.leave(member);
            return left.onFailure().invoke(e -> LOG.warnf(e, "SMCP member %s could not leave its office", member.sid()))
                    .subscribeAsCompletionStage();
        });
    }
}
