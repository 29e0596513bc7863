package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.SmcpKeys;
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
    private final SmcpKeys keys;
    /** Told of every broadcast on this replica (the MCP bridge turns tool-list changes into MCP notifications). */
    @Inject
    Event<OfficeNotice> notices;

    public OfficeMembership(OfficeDirectory directory, ReplicaBus bus, ObjectMapper json, SmcpKeys keys) {
        this.directory = directory;
        this.bus = bus;
        this.json = json;
        this.keys = keys;
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
        SeatEntry seat = new SeatEntry(member.sid(), member.epoch, member.officeId);
        member.officeId = null;
        member.told.clear();
        return removeAndAnnounce(keys.replicaSeats(bus.replicaId()), seat, member.role, member.name);
    }

    /**
     * Removes any replica's member from its seat and tells the office, once, by whoever removed it: nothing is
     * announced when the seat was already gone (or is a later one of the sid, {@link SeatEntry}). {@code memberSet}:
     * the key of the replica's set listing the seat ({@link OfficeDirectory#leave}).
     */
    Uni<Void> removeAndAnnounce(String memberSet, SeatEntry seat, String role, String name) {
        String office = seat.officeId();
        return directory.leave(memberSet, seat).chain(removed -> removed
                ? broadcast(office, seat.sid(), SmcpEvents.LEAVE_OFFICE_NOTICE, presence(office, role, name))
                : Uni.createFrom().voidItem());
    }
}
