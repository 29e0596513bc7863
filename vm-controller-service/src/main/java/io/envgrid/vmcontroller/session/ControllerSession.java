package io.envgrid.vmcontroller.session;

import io.envgrid.vmcontroller.vm.VmAddress;
import java.util.Map;

/**
 * The controller session of one worker on one leased VM, as stored in a Redis hash (written by
 * {@code lua/open_session.lua} from the allocator's lease record). It is bound to one lease: its
 * lease id and fencing token are that lease's, and its address and {@code token} come from the
 * record's endpoint. The lease token itself is not kept: every call presents it and it is compared
 * with the live record. The hash also holds {@code lease_token_sha} (SHA-1 of the lease's token), read
 * only by {@code check_session.lua}, so that an ended session tells why it ended to its own lease's
 * holder and to nobody else. {@code gaveUp}: the session's last action was {@code FAIL} (hash field
 * {@code last_action}, written by {@code lua/last_action.lua}), which OSWorld's evaluation scores.
 */
public record ControllerSession(String workerId, String resourceId, String type, String ip, int port,
        String token, String leaseId, long fencingToken, SessionState state, String createdAt,
        String endedAt, String endedReason, boolean gaveUp) {

    /** The VM, reached on behalf of the lease whose token is {@code leaseToken} (forwarded to the VM). */
    public VmAddress vm(String leaseToken) {
        return new VmAddress(ip, port, leaseToken);
    }

    /** This session as ended at {@code at} (ISO-8601) for {@code reason}. */
    public ControllerSession ended(String at, String reason) {
        return new ControllerSession(workerId, resourceId, type, ip, port, token, leaseId, fencingToken,
                SessionState.ended, createdAt, at, reason, gaveUp);
    }

    static ControllerSession fromHash(Map<String, String> hash) {
        return new ControllerSession(hash.get("worker_id"), hash.get("resource_id"), hash.get("type"),
                hash.get("ip"), Integer.parseInt(hash.get("port")), hash.get("token"), hash.get("lease_id"),
                Long.parseLong(hash.get("fencing_token")), SessionState.valueOf(hash.get("state")),
                hash.get("created_at"), hash.get("ended_at"), hash.get("ended_reason"),
                "FAIL".equals(hash.get("last_action")));
    }
}
