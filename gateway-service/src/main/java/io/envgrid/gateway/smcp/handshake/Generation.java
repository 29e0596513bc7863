package io.envgrid.gateway.smcp.handshake;

import java.util.Optional;

/**
 * The protocol generations this server speaks, chosen per connection from its {@code a2c_version}: they differ in
 * acknowledgement shapes and room rules (docs/contracts/smcp.md §4-5).
 */
public enum Generation {
    /**
     * The released SDK 0.4.0: joins answer {@code (ok, message)}; its reference server resolved Computer names across
     * offices, envgrid resolves them per office in both generations.
     */
    V0_4(new A2cVersion(0, 4, 0)),
    /** Protocol 0.5.0: flat ErrorPayload refusals, names per office, identity fixed per connection. */
    V0_5(new A2cVersion(0, 5, 0));

    private final A2cVersion version;

    Generation(A2cVersion version) {
        this.version = version;
    }

    public A2cVersion version() {
        return version;
    }

    /** The generation that serves a client of {@code client}'s version, if any. */
    public static Optional<Generation> serving(A2cVersion client) {
        for (Generation g : values()) {
            if (client.servedBy(g.version)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /** The newest generation: the version this server reports as its own. */
    public static Generation newest() {
        return values()[values().length - 1];
    }
}
