package io.envgrid.allocator.cell;

import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Which cell an id belongs to, decided once and atomically (review h7, item 5). A look-up in every cell followed by
 * a registration in one cell is two steps, so two first registrations of one id from types of different cells both
 * found it nowhere and both registered it: two workers then got one lease id and fencing token. The claim is one key
 * per id, {@code <default prefix>cell:<id>}, set if absent by {@code claim.lua} before a cell's registration and
 * removed after its delete. It lives under the default cell's hash tag, not the id's cell's, because the one thing
 * every registration of an id must meet is the same key on the same master, whichever cells (and masters) are
 * racing. With only the default cell nothing is claimed: no other cell exists.
 */
@ApplicationScoped
public class CellClaims {

    private final Cells cells;
    private final ScriptRunner scripts;

    public CellClaims(Cells cells, ScriptRunner scripts) {
        this.cells = cells;
        this.scripts = scripts;
    }

    /**
     * Claims {@code id} for {@code cell} unless another cell claimed it first; the name of the cell it belongs to
     * now ({@code cell}'s own when the claim is, or already was, its). A name, not a {@link Cell}: a claim can name
     * a cell this replica's configuration no longer has, and that still keeps the id out of every other cell.
     */
    public Uni<String> claim(String id, Cell cell) {
        if (cells.single()) {
            return Uni.createFrom().item(cell.name());
        }
        return scripts.runJson(cells.defaultCell().keys(), AllocatorScript.CLAIM, List.of("claim", id, cell.name()))
                .map(answer -> answer.path("cell").asText());
    }

    /** Gives up {@code cell}'s claim of {@code id} (after the resource was deleted there); another cell's stays. */
    public Uni<Void> release(String id, Cell cell) {
        if (cells.single()) {
            return Uni.createFrom().voidItem();
        }
        return scripts.runJson(cells.defaultCell().keys(), AllocatorScript.CLAIM, List.of("release", id, cell.name()))
                .replaceWithVoid();
    }
}
