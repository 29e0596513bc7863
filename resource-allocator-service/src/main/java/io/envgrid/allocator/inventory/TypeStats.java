package io.envgrid.allocator.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Counts of one resource type by state, as {@code GET /stats} reports them. */
@RegisterForReflection
public record TypeStats(int total, int free, int leased, int resetting, int draining, int down) {

    /** From {@code stats.lua}'s counts of one type: {@code [total, free, leased, resetting, draining, down]}. */
    static TypeStats of(JsonNode counts) {
        return new TypeStats(counts.get(0).asInt(), counts.get(1).asInt(), counts.get(2).asInt(), counts.get(3).asInt(),
                counts.get(4).asInt(), counts.get(5).asInt());
    }

    public static TypeStats plus(TypeStats a, TypeStats b) {
        return new TypeStats(a.total + b.total, a.free + b.free, a.leased + b.leased, a.resetting + b.resetting,
                a.draining + b.draining, a.down + b.down);
    }

    public static TypeStats empty() {
        return new TypeStats(0, 0, 0, 0, 0, 0);
    }
}
