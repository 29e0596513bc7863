package io.envgrid.allocator.cell;

import io.envgrid.allocator.api.Validation;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.redis.RedisKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cells of this deployment ({@code envgrid.allocator.cells.<cell>.types}): which cell serves which type. Types
 * no cell names are served by the {@link Cell#DEFAULT default} cell under {@code key-prefix}, so a deployment
 * without cells keeps today's keys. Checked at start: a type in two cells, a cell named {@code default}, an
 * invalid name and two prefixes sharing a hash tag (or a prefix without one) each stop the start.
 */
@ApplicationScoped
public class Cells {

    private final Cell defaultCell;
    private final List<Cell> all = new ArrayList<>();
    private final Map<String, Cell> byType = new HashMap<>();

    @Inject
    public Cells(AllocatorConfig config) {
        this(config.keyPrefix(), config.cells());
    }

    /** The cells of {@code envgrid.allocator.key-prefix} and {@code envgrid.allocator.cells}; throws if they are unusable. */
    public Cells(String keyPrefix, Map<String, AllocatorConfig.CellSettings> configured) {
        this.defaultCell = new Cell(Cell.DEFAULT, new RedisKeys(keyPrefix));
        all.add(defaultCell);
        Map<String, String> tags = new HashMap<>();
        requireTag(defaultCell, tags);
        new TreeMap<>(configured).forEach((name, settings) -> {
            if (Cell.DEFAULT.equals(name) || !Validation.TYPE.matcher(name).matches()) {
                throw new IllegalStateException("envgrid.allocator.cells: '" + name + "' cannot name a cell (the type "
                        + "rule applies, and 'default' is the cell of every type no cell names)");
            }
            Cell cell = new Cell(name, new RedisKeys(settings.keyPrefix().orElse("{envgrid-" + name + "}:")));
            requireTag(cell, tags);
            all.add(cell);
            for (String type : settings.types()) {
                Cell before = byType.put(type, cell);
                if (before != null) {
                    throw new IllegalStateException("envgrid.allocator.cells: type '" + type + "' is in cells '"
                            + before.name() + "' and '" + name + "'");
                }
            }
        });
    }

    private static void requireTag(Cell cell, Map<String, String> tags) {
        String tag = cell.keys().hashTag();
        if (tag.isEmpty()) {
            throw new IllegalStateException("the key prefix '" + cell.keys().prefix() + "' of cell '" + cell.name()
                    + "' has no hash tag ({...}): its keys would spread over Redis Cluster slots");
        }
        String other = tags.putIfAbsent(tag, cell.name());
        if (other != null) {
            throw new IllegalStateException("cells '" + other + "' and '" + cell.name() + "' share the hash tag {"
                    + tag + "}: give each cell its own");
        }
    }

    /** Every cell, the default one first. */
    public List<Cell> all() {
        return List.copyOf(all);
    }

    /** Whether there is only the default cell: calls naming resource ids then need no look-up. */
    public boolean single() {
        return all.size() == 1;
    }

    /** The cell of every type no configured cell names; also where an id found in no cell is asked about. */
    public Cell defaultCell() {
        return defaultCell;
    }

    /** The cell that serves {@code type}. */
    public Cell forType(String type) {
        return byType.getOrDefault(type, defaultCell);
    }

    /**
     * The one cell that serves all of {@code types}; 400 {@code CROSS_CELL_REQUEST} (details: cell name → the
     * request's types in it) when they are served by different cells, since no script can grant across them
     * all or nothing.
     */
    public Cell forTypes(List<String> types) {
        Map<String, List<String>> spread = new LinkedHashMap<>();
        types.forEach(t -> spread.computeIfAbsent(forType(t).name(), c -> new ArrayList<>()).add(t));
        if (spread.size() > 1) {
            throw new ApiException(400, ErrorCode.CROSS_CELL_REQUEST, "the requested types are served by different "
                    + "cells " + spread.keySet() + ": one request is granted within one cell; split it, or map "
                    + "these types to one cell (envgrid.allocator.cells)", Map.of("cells", spread));
        }
        return forType(types.get(0));
    }
}
