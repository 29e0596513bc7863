package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/** Broadcasts to an office and takes members out of offices, with the notices the protocol requires. */
@ApplicationScoped
public class OfficeMembership {

    private final OfficeDirectory directory;
    private final ReplicaBus bus;
    private final ObjectMapper json;
    /** Told of every broadcast on this replica (the MCP bridge turns tool-list changes into MCP notifications). */
    @Inject
    Event<OfficeNotice> notices;

    public OfficeMembership(OfficeDirectory directory, ReplicaBus bus, ObjectMapper json) {
        this.directory = directory;
        this.bus = bus;
        this.json = json;
    }

    /** Emits {@code event} to every member of the office but {@code exceptSid} (the sender), on every replica. */
    Uni<Void> broadcast(String officeId, String exceptSid, String event, JsonNode payload) {
        return directory.members(officeId).invoke(members -> members.stream()
                .filter(m -> !m.path("sid").asText().equals(exceptSid))
                .forEach(m -> bus.emit(m, event, payload)))
                .invoke(() -> notices.fire(new OfficeNotice(officeId, event, payload))).replaceWithVoid();
    }

    /** {@code {office_id, <role>: <name>}}: who entered or left, by name (never a sid). */
    ObjectNode presence(String officeId, String role, String name) {
        return json.createObjectNode().put("office_id", officeId).put(role, name);
    }

    /**
     * Takes a member of this replica out of its office: the seat (and the name it held) first, then
     * {@code notify:leave_office}, so a member reacting to the notice (joining in its place) finds the name free.
     */
    Uni<Void> leave(Member member) {
        String office = member.officeId;
        member.officeId = null;
        return removeAndAnnounce(bus.replicaId(), office, member.sid(), member.role, member.name);
    }

    /** Removes any replica's member from an office and tells the others (once, whoever removes it). */
    Uni<Void> removeAndAnnounce(String replicaId, String officeId, String sid, String role, String name) {
        return directory.leave(replicaId, officeId, sid)
                .chain(() -> broadcast(officeId, sid, SmcpEvents.LEAVE_OFFICE_NOTICE, presence(officeId, role, name)))
                .replaceWithVoid();
    }
}
