package io.envgrid.gateway.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one id rule of docs/isolation.md, and the key/path encoding that keeps ids with ':' and '/' apart. */
class IdRuleTest {

    @Test
    void idsFollowTheIsolationRule() {
        for (String ok : List.of("a", "job42/w0001", "w:1@host.example-x_y", "9", "a".repeat(200))) {
            assertTrue(IdRule.isId(ok), ok);
        }
        for (String bad : List.of("", " a", "-a", "/a", ".a", "a b", "a\u0000", "a%2F", "é", "a".repeat(201), "a#2", "../x")) {
            assertFalse(IdRule.isId(bad), bad);
        }
        assertTrue(IdRule.isType("vm_pyautogui"));
        assertFalse(IdRule.isType("vm:x"));
        assertFalse(IdRule.isType("vm#2"));
        assertFalse(IdRule.isType("a".repeat(65)));
    }

    @Test
    void everyIdArgumentIsCheckedWithTheFieldNamed() {
        ObjectNode args = new ObjectMapper().createObjectNode().put("worker_id", "ok/1");
        args.putArray("resource_ids").add("fine").add("not fine");
        ToolFailure failure = assertThrows(ToolFailure.class, () -> IdRule.checkArguments(args));
        assertEquals(400, failure.status());
        assertEquals("INVALID_ID", failure.code());
        assertEquals("resource_ids[1]", failure.details().get("field"));
        ObjectNode types = new ObjectMapper().createObjectNode();
        types.putArray("resource_types").add("vm_pyautogui").add("vm/x");
        assertEquals("INVALID_ID", assertThrows(ToolFailure.class, () -> IdRule.checkArguments(types)).code());
        // a wrong JSON type is the tool's parameter check's to name
        IdRule.checkArguments(new ObjectMapper().createObjectNode().put("worker_id", 5));
    }

    @Test
    void keyPartsNeverCollide() {
        assertEquals("a%3Ab", KeyPart.of("a:b"));
        assertNotEquals(KeyPart.of("a:b") + ":" + KeyPart.of("c"), KeyPart.of("a") + ":" + KeyPart.of("b:c"));
        for (String id : List.of("a", "a:b", "a%3Ab", "%", "%25:%3A", "x/y@z.w")) {
            assertEquals(id, KeyPart.decode(KeyPart.of(id)), id);
        }
        assertEquals("job42%2Fw%3A1%40h", KeyPart.pathSegment("job42/w:1@h"));
    }
}
