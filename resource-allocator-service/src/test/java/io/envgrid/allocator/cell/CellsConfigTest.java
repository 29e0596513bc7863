package io.envgrid.allocator.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.config.AllocatorConfig.CellSettings;
import io.envgrid.allocator.error.ApiException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cell map as configured: which type goes where, and the settings that stop the start. */
class CellsConfigTest {

    private record Settings(List<String> types, Optional<String> keyPrefix) implements CellSettings {
    }

    private static Settings cell(String... types) {
        return new Settings(List.of(types), Optional.empty());
    }

    @Test
    void withoutCellsEveryTypeIsInTheDefaultCellUnderTheKeyPrefix() {
        Cells cells = new Cells("{envgrid}:", Map.of());
        assertTrue(cells.single());
        assertEquals("{envgrid}:", cells.forTypes(List.of("vm", "rag")).keys().prefix());
    }

    @Test
    void typesGoToTheirCellsAndTheRestToTheDefault() {
        Cells cells = new Cells("{envgrid}:", Map.of("desk", cell("vm", "desktop"),
                "tools", new Settings(List.of("rag"), Optional.of("{tools}:"))));
        assertEquals(List.of("default", "desk", "tools"), cells.all().stream().map(Cell::name).toList());
        assertEquals("{envgrid-desk}:", cells.forTypes(List.of("vm", "desktop", "vm")).keys().prefix());
        assertEquals("{tools}:", cells.forType("rag").keys().prefix());
        assertEquals("default", cells.forType("misc").name());
    }

    @Test
    void aRequestSpanningCellsIsRefusedNamingEachCellsTypes() {
        Cells cells = new Cells("{envgrid}:", Map.of("desk", cell("vm"), "tools", cell("rag")));
        ApiException e = assertThrows(ApiException.class, () -> cells.forTypes(List.of("vm", "rag", "misc")));
        assertEquals(400, e.status());
        assertEquals("CROSS_CELL_REQUEST", e.code());
        assertEquals(Map.of("cells", Map.of("desk", List.of("vm"), "tools", List.of("rag"), "default", List.of("misc"))),
                e.details());
    }

    @Test
    void unusableCellsStopTheStart() {
        assertThrows(IllegalStateException.class, () -> new Cells("{envgrid}:", Map.of("a", cell("vm"), "b", cell("vm"))),
                "a type in two cells");
        assertThrows(IllegalStateException.class, () -> new Cells("{envgrid}:", Map.of("default", cell("vm"))),
                "a cell named default");
        assertThrows(IllegalStateException.class, () -> new Cells("{envgrid}:", Map.of("a:b", cell("vm"))),
                "a name outside the type rule");
        assertThrows(IllegalStateException.class, () -> new Cells("{envgrid}:",
                Map.of("a", new Settings(List.of("vm"), Optional.of("{envgrid}:a:")))), "a shared hash tag");
        assertThrows(IllegalStateException.class, () -> new Cells("{envgrid}:",
                Map.of("a", new Settings(List.of("vm"), Optional.of("cell-a:")))), "no hash tag");
        assertThrows(IllegalStateException.class, () -> new Cells("envgrid:", Map.of()), "a default prefix without a tag");
    }
}
