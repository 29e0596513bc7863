package io.envgrid.deviceagent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ids as directory names: one level, never a parent, never shared by two ids, and old names unchanged. */
class PathSegmentsTest {

    private static final List<String> IDS = List.of("a", "a/b", "a%2Fb", "a%b", "a/b/c", "a/../b", "..", ".", ".a",
            "a.", "a:b@c.d-e_f", "%2E", "%", "/", "//", "a//b", "emulator-5554", "192.168.1.5:5555", "张三", "a%252F");

    @Test
    void everyIdGetsItsOwnSingleLevelNameAndDecodesBack() {
        Map<String, String> owner = new HashMap<>();
        for (String id : IDS) {
            String name = PathSegments.encode(id);
            assertFalse(name.contains("/"), name);
            assertFalse(name.startsWith("."), name);
            assertFalse(name.isEmpty());
            assertEquals(Optional.of(id), PathSegments.decode(name), id);
            String previous = owner.put(name, id);
            assertTrue(previous == null, "'" + id + "' and '" + previous + "' share " + name);
        }
    }

    @Test
    void namesOfTheOldIdRuleAreUnchangedSoExistingRecordsNeedNoMigration() {
        for (String id : List.of("emulator-5554", "R58M12ABCDE", "host.example.org", "10.0.0.7:5555", "a_b")) {
            assertEquals(id, PathSegments.encode(id));
        }
    }

    @Test
    void namesNoIdEncodesToAreNotReadAsIds() {
        for (String name : List.of("a%2fb", "%41", "%", "a%2", "%ZZ", ".hidden", "a/b")) {
            assertEquals(Optional.empty(), PathSegments.decode(name), name);
        }
    }
}
