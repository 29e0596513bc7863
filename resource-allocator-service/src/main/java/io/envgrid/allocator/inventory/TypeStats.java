package io.envgrid.allocator.inventory;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Counts of one resource type by state, as {@code GET /stats} reports them. */
@RegisterForReflection
public record TypeStats(int total, int free, int leased, int resetting, int draining, int down) {

    TypeStats add(String state) {
        return new TypeStats(total + 1,
                free + ("free".equals(state) ? 1 : 0),
                leased + ("leased".equals(state) ? 1 : 0),
                resetting + ("resetting".equals(state) ? 1 : 0),
                draining + ("draining".equals(state) ? 1 : 0),
                down + ("down".equals(state) ? 1 : 0));
    }

    public static TypeStats plus(TypeStats a, TypeStats b) {
        return new TypeStats(a.total + b.total, a.free + b.free, a.leased + b.leased, a.resetting + b.resetting,
                a.draining + b.draining, a.down + b.down);
    }

    public static TypeStats empty() {
        return new TypeStats(0, 0, 0, 0, 0, 0);
    }
}
