package io.envgrid.gateway.smcp.office;

/**
 * One entry of a replica's member set ({@link io.envgrid.gateway.smcp.SmcpKeys#replicaSeats}), the seat a member of
 * that replica holds: {@code <sid>|<epoch>|<office_id>}. The epoch tells a connection's seat in an office from the
 * seats it takes there later (it leaves and joins again), so an eviction removes only the seat it took from the set,
 * never a newer one of the same sid. Entries of gateways from before the epoch, {@code <sid>|<office_id>} (in their
 * own sets, {@link io.envgrid.gateway.smcp.SmcpKeys#legacyReplicaMembers}), parse with an empty epoch, which matches
 * whatever seat the sid holds in that office. Neither a Socket.IO sid nor an office id
 * (the id rule) contains {@code |}.
 *
 * @param sid the member's Socket.IO sid
 * @param epoch the seat's epoch, as in the member record's {@code epoch}; empty: any
 * @param officeId the office the seat is in
 */
record SeatEntry(String sid, String epoch, String officeId) {

    /** The entry as stored in the set. */
    String encode() {
        return sid + "|" + epoch + "|" + officeId;
    }

    /**
     * Reads a stored entry, of either form.
     *
     * @throws IllegalArgumentException when {@code entry} has no {@code |}
     */
    static SeatEntry parse(String entry) {
        String[] parts = entry.split("\\|", 3);
        return switch (parts.length) {
            case 3 -> new SeatEntry(parts[0], parts[1], parts[2]);
            case 2 -> new SeatEntry(parts[0], "", parts[1]);
            default -> throw new IllegalArgumentException("not a member set entry: " + entry);
        };
    }
}
