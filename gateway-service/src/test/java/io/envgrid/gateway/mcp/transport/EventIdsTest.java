package io.envgrid.gateway.mcp.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Event ids are Redis stream entry ids, compared as numbers; anything else a client sends is not one. */
class EventIdsTest {

    @Test
    void onlyStreamEntryIdsAreValid() {
        assertTrue(EventIds.valid("1764480000000-0"));
        assertTrue(EventIds.valid("0-12"));
        for (String bad : new String[] {null, "", "abc", "12", "12-", "-3", "1-2-3", " 1-2", "1-2\n", "99999999999999999999-0",
            "9223372036854775808-0"}) {
            assertFalse(EventIds.valid(bad), String.valueOf(bad));
        }
    }

    @Test
    void idsCompareAsNumbersNotText() {
        assertTrue(EventIds.compare("9-0", "10-0") < 0, "9 ms is before 10 ms, though '9' > '1' as text");
        assertTrue(EventIds.compare("10-2", "10-10") < 0);
        assertTrue(EventIds.compare("10-10", "10-10") == 0);
        assertTrue(EventIds.compare("11-0", "10-99") > 0);
    }
}
