package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.handshake.Generation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * {@code server:join_office}, {@code server:leave_office} and {@code server:list_room} with the room rules of each
 * generation (docs/contracts/smcp.md §4-5), and the gateway's own rule on top: an office belongs to the principals whose
 * token covers its id as it would cover a worker id (an office id follows the id rule; a token for {@code job42/}
 * may use offices {@code job42/…}); names are unique within an office, not across offices ({@link OfficeDirectory}).
 * Refusals: 0.5 answers 400 for an office id outside the id rule, a name over {@code max-name-length} or an agent name
 * the MCP bridge reserves ({@code mcp:…}, {@link OfficeCoverage#BRIDGE_AGENT_PREFIX}), 403 for an
 * office the token does not cover, 4105 for a name its role already has in the office; 0.4 the same as
 * {@code (false, message)} (an ill-typed payload still gets no ack, as from the reference). Deliberate differences from the 0.4 reference, both closing holes the 0.5
 * line fixed: a 0.4 leave naming an office the member is not in changes nothing (the reference announced a leave
 * into that foreign office), and a 0.4 join's checks all run before the member leaves its old office.
 */
@ApplicationScoped
public class RoomEvents {

    private static final Logger LOG = Logger.getLogger(RoomEvents.class);
    private static final Set<String> ROLES = Set.of("agent", "computer");

    private final OfficeDirectory directory;
    private final OfficeMembership membership;
    private final ReplicaBus bus;
    private final ObjectMapper json;
    private final Acks acks;
    private final int maxNameLength;

    public RoomEvents(OfficeDirectory directory, OfficeMembership membership, ReplicaBus bus, ObjectMapper json,
            SmcpConfig config) {
        this.maxNameLength = config.maxNameLength();
        this.directory = directory;
        this.membership = membership;
        this.bus = bus;
        this.json = json;
        this.acks = new Acks(json);
    }

    /** {@code server:join_office {role, name, office_id}}. */
    Uni<Void> join(Member member, ArrayNode args, Long ackId) {
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String role = Payloads.text(req, "role");
        String name = Payloads.text(req, "name");
        String office = Payloads.text(req, "office_id");
        if (role == null || !ROLES.contains(role) || name == null || office == null || (v5 && office.isEmpty())) {
            if (v5) {
                acks.error(member, ackId, 400, "Invalid request payload", null);
            }
            // 0.4: the reference's validation error escapes the handler, so no ack at all
            return done();
        }
        if (!IdRule.isId(office) || name.length() > maxNameLength
                || ("agent".equals(role) && name.startsWith(OfficeCoverage.BRIDGE_AGENT_PREFIX))) {
            // an agent named as the MCP bridge names its calls would pose as that principal's MCP session
            if (v5) {
                acks.error(member, ackId, 400, "Invalid request payload", null);
            } else {
                acks.refused(member, ackId, "Invalid request payload");
            }
            return done();
        }
        if (!OfficeCoverage.covers(member.principal, office)) {
            if (v5) {
                acks.error(member, ackId, 403, "Forbidden", acks.details().put("office_id", office));
            } else {
                acks.refused(member, ackId, "Forbidden: the token does not cover office '" + office + "'");
            }
            return done();
        }
        String effective = name.isEmpty() ? role + "_" + member.sid().substring(0, 6) : name;
        return v5 ? join05(member, role, effective, office, ackId) : join04(member, role, effective, office, ackId);
    }

    private Uni<Void> join04(Member member, String role, String name, String office, Long ackId) {
        if (member.role != null && !member.role.equals(role)) {
            acks.refused(member, ackId, "Role mismatch, expected " + role + ", but " + member.role + " use this sid exists");
            return done();
        }
        if ("agent".equals(role) && member.officeId != null && !member.officeId.equals(office)) {
            acks.refused(member, ackId, "Internal server error: Agent sid already in room");
            return done();
        }
        String epoch = member.epochFor(office);
        return seat(member, role, name, office, epoch).chain(seat -> switch (seat) {
            case AGENT_TAKEN -> refuse04(member, ackId, "Internal server error: Agent already in room");
            case NAME_TAKEN -> refuse04(member, ackId, "Internal server error: Computer with name '" + name
                    + "' already exists in room '" + office + "'");
            case SEATED -> seated(member, role, name, office, epoch).invoke(() -> acks.ok(member, ackId));
        });
    }

    private Uni<Void> join05(Member member, String role, String name, String office, Long ackId) {
        if (member.role != null && (!member.role.equals(role) || !member.name.equals(name))) {
            // identity is fixed per connection: a new name or role needs a new connection
            acks.error(member, ackId, 403, "Forbidden", null);
            return done();
        }
        if (office.equals(member.officeId)) {
            acks.ok(member, ackId);
            return done();
        }
        if ("agent".equals(role) && member.officeId != null) {
            acks.error(member, ackId, 4106, "Agent already in another room", acks.details().put("office_id", member.officeId));
            return done();
        }
        String epoch = member.epochFor(office);
        return seat(member, role, name, office, epoch).chain(seat -> switch (seat) {
            case AGENT_TAKEN -> error(member, ackId, 4101, "Room already has an agent", acks.details().put("office_id", office));
            case NAME_TAKEN -> error(member, ackId, 4105, "Name already taken in room",
                    acks.details().put("office_id", office).put("role", role));
            case SEATED -> seated(member, role, name, office, epoch).invoke(() -> acks.ok(member, ackId));
        });
    }

    private Uni<OfficeDirectory.Seat> seat(Member member, String role, String name, String office, String epoch) {
        return directory.join(bus.replicaId(), member.record(json, bus.replicaId(), role, name, office, epoch));
    }

    /**
     * The member holds its new seat: it leaves its old office (a Computer moving), takes the identity, and the office
     * hears {@code notify:enter_office} unless it was already there (a rejoin, or a 0.4 rename). Who else is there is
     * noted on the member ({@link Member#told}).
     */
    private Uni<Void> seated(Member member, String role, String name, String office, String epoch) {
        boolean rejoin = office.equals(member.officeId);
        Uni<Void> left = member.officeId != null && !rejoin ? membership.leave(member) : done();
        return left.chain(() -> {
            member.role = role;
            member.name = name;
            member.epoch = epoch;
            member.officeId = office;
            return rejoin ? done() : membership.broadcast(office, member.sid(), SmcpEvents.ENTER_OFFICE_NOTICE,
                    membership.presence(office, role, name));
        }).chain(() -> directory.members(office)).invoke(records -> {
            // what the member can know of the office from now on (list_room): the view a catch-up compares with
            member.told.clear();
            member.told.putAll(bus.presences(office, records, member.sid()));
        }).replaceWithVoid();
    }

    /** {@code server:leave_office {office_id}}. */
    Uni<Void> leave(Member member, ArrayNode args, Long ackId) {
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String office = Payloads.text(req, "office_id");
        if (office == null) {
            if (v5) {
                acks.error(member, ackId, 400, "Invalid request payload", null);
            }
            return done();
        }
        if (member.officeId == null || (!v5 && !office.equals(member.officeId))) {
            acks.ok(member, ackId);
            return done();
        }
        if (!office.equals(member.officeId)) {
            LOG.debugf("sid %s asked to leave %s but sits in %s; leaving its own office", member.sid(), office, member.officeId);
        }
        return membership.leave(member).invoke(() -> acks.ok(member, ackId));
    }

    /** {@code server:list_room {agent, req_id, office_id}} → {@code {sessions: [SessionInfo], req_id}}. */
    Uni<Void> listRoom(Member member, ArrayNode args, Long ackId) {
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String office = Payloads.text(req, "office_id");
        String reqId = Payloads.text(req, "req_id");
        if (v5 && (office == null || reqId == null || Payloads.text(req, "agent") == null)) {
            acks.error(member, ackId, 400, "Invalid request payload", null);
            return done();
        }
        if (v5 && member.officeId == null) {
            acks.error(member, ackId, 4103, "Not in any room", null);
            return done();
        }
        if (v5 && !office.equals(member.officeId)) {
            acks.error(member, ackId, 4104, "Cannot list another room", acks.details().put("office_id", office));
            return done();
        }
        if (office == null || !office.equals(member.officeId)) {
            return done(); // 0.4: the reference raises, so no ack
        }
        return directory.members(office).invoke(records -> {
            ArrayNode sessions = json.createArrayNode();
            records.forEach(r -> sessions.addObject().put("sid", r.path("sid").asText()).put("name", r.path("name").asText())
                    .put("role", r.path("role").asText()).put("office_id", office)
                    .put("a2c_version", r.path("a2c_version").asText()));
            ObjectNode ret = json.createObjectNode();
            ret.set("sessions", sessions);
            ret.set("req_id", req.get("req_id"));
            acks.value(member, ackId, ret);
        }).replaceWithVoid();
    }

    private Uni<Void> refuse04(Member member, Long ackId, String message) {
        acks.refused(member, ackId, message);
        return done();
    }

    private Uni<Void> error(Member member, Long ackId, int code, String message, ObjectNode details) {
        acks.error(member, ackId, code, message, details);
        return done();
    }

    private static Uni<Void> done() {
        return Uni.createFrom().voidItem();
    }
}
