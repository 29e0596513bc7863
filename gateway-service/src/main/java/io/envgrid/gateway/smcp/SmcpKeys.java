package io.envgrid.gateway.smcp;

import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.redis.GatewayKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The Redis keys and channels of the A2C-SMCP server, under the gateway's prefix ({@link GatewayKeys#prefix()})
 * and {@code smcp:}. Office ids are client-chosen strings, encoded by {@link KeyPart}.
 * <ul>
 * <li>{@link #office} hash: Socket.IO sid → member record JSON {@code {sid,name,role,office_id,a2c_version,replica,epoch}}</li>
 * <li>{@link #replicaSeats} set: {@code <sid>|<epoch>|<office_id>} of every seat a replica holds (what a dead replica
 * leaves; {@code office.SeatEntry})</li>
 * <li>{@link #seatReplicas} set of replica ids with seats; {@link #alive} a key per replica, expiring without refresh</li>
 * <li>{@link #legacyReplicaMembers} and {@link #legacyReplicas}: the same two sets of gateways from before seat epochs,
 * entries {@code <sid>|<office_id>}; written by older replicas only, drained by this one when they die</li>
 * <li>{@link #channel}: the replica's channel of emits, relayed calls and their replies</li>
 * <li>{@link #legacyNameHolds}: written only by older gateways, deleted by this one</li>
 * </ul>
 */
@ApplicationScoped
public class SmcpKeys {

    private final String prefix;

    public SmcpKeys(GatewayKeys keys) {
        this.prefix = keys.prefix() + "smcp:";
    }

    public String office(String officeId) {
        return prefix + "office:" + KeyPart.of(officeId);
    }

    /** A replica's set of seats, entries {@code <sid>|<epoch>|<office_id>} ({@code office.SeatEntry}). */
    public String replicaSeats(String replicaId) {
        return prefix + "replica:" + replicaId + ":seats";
    }

    /** The ids of the replicas with a set of seats ({@link #replicaSeats}), which the others sweep when they die. */
    public String seatReplicas() {
        return prefix + "seat-replicas";
    }

    /**
     * The member set of a replica from before seat epochs. Its entries live under a key of their own so an older
     * replica sweeping a dead one pops only entries it can parse (it would read {@code <epoch>|<office_id>} as the
     * office, find no seat and lose the entry, leaving the seat behind for good).
     */
    public String legacyReplicaMembers(String replicaId) {
        return prefix + "replica:" + replicaId + ":members";
    }

    /** The replica ids with members of gateways from before seat epochs ({@link #legacyReplicaMembers}). */
    public String legacyReplicas() {
        return prefix + "replicas";
    }

    public String alive(String replicaId) {
        return prefix + "alive:" + replicaId;
    }

    public String channel(String replicaId) {
        return prefix + "ch:" + replicaId;
    }

    /**
     * The two hashes in which gateways before per-office names held each Computer name for one principal ({@code
     * computer-names}: name → principal, {@code computer-name-seats}: name → seats holding it); deleted, never written.
     */
    public List<String> legacyNameHolds() {
        return List.of(prefix + "computer-names", prefix + "computer-name-seats");
    }
}
