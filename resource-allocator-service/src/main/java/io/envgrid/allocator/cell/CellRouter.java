package io.envgrid.allocator.cell;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes calls that name resources by id (release, renew, verify, the inventory's calls on one resource) to
 * the cell that holds each id. With only the default cell there is nothing to look up and nothing is sent;
 * with several, {@code locate.lua} asks every cell (read-only, in parallel) which ids it holds. Ids no cell
 * holds go to the default cell, whose script answers them as unknown.
 */
@ApplicationScoped
public class CellRouter {

    /**
     * Where the ids of one call are: grouped by cell ({@link Cells#all()} order; ids no cell holds under the default
     * cell), the cell of each id some cell holds ({@code holders}; empty with one cell: not looked up), and the ids
     * another worker holds a live lease on ({@code foreign}).
     */
    public record Placement(Map<Cell, List<String>> byCell, Map<String, Cell> holders, List<String> foreign) {
    }

    private final Cells cells;
    private final ScriptRunner scripts;

    public CellRouter(Cells cells, ScriptRunner scripts) {
        this.cells = cells;
        this.scripts = scripts;
    }

    /**
     * Groups {@code ids} by the cell that holds them; {@code foreign} lists those with a live lease of another
     * worker than {@code worker} ({@code null}: not checked; always empty with one cell, where the script checks).
     */
    public Uni<Placement> place(List<String> ids, String worker) {
        if (cells.single()) {
            return Uni.createFrom().item(new Placement(Map.of(cells.defaultCell(), ids), Map.of(), List.of()));
        }
        List<Uni<JsonNode>> asks = new ArrayList<>();
        for (Cell cell : cells.all()) {
            List<String> args = new ArrayList<>(ids.size() + 1);
            args.add(worker == null ? "" : worker);
            args.addAll(ids);
            asks.add(scripts.runJson(cell.keys(), AllocatorScript.LOCATE, args));
        }
        return Uni.join().all(asks).andFailFast().map(answers -> {
            Map<String, Cell> cellOf = new LinkedHashMap<>();
            List<String> foreign = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                Cell cell = cells.all().get(i);
                answers.get(i).path("found").forEach(id -> cellOf.putIfAbsent(id.asText(), cell));
                answers.get(i).path("foreign").forEach(id -> foreign.add(id.asText()));
            }
            Map<Cell, List<String>> byCell = new LinkedHashMap<>();
            for (String id : ids) {
                byCell.computeIfAbsent(cellOf.getOrDefault(id, cells.defaultCell()), c -> new ArrayList<>()).add(id);
            }
            return new Placement(byCell, cellOf, foreign);
        });
    }

    /** The cell that holds {@code id} (the default cell if none does). */
    public Uni<Cell> cellOf(String id) {
        return place(List.of(id), null).map(p -> p.byCell().keySet().iterator().next());
    }
}
