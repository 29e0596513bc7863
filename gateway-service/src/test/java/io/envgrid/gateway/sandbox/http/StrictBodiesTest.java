package io.envgrid.gateway.sandbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.http.SandboxBodies.BatchRequest;
import io.envgrid.gateway.sandbox.http.SandboxBodies.ExecuteRequest;
import io.envgrid.gateway.sandbox.http.SandboxBodies.WarmupRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StrictBodies} on its own: what it reads, what it refuses and which field a refusal names. */
class StrictBodiesTest {

    private final StrictBodies bodies = new StrictBodies();

    private <T> T read(String body, Class<T> type) {
        return bodies.read(body.getBytes(StandardCharsets.UTF_8), type, null);
    }

    private ToolFailure refused(String body, Class<?> type) {
        ToolFailure refused = assertThrows(ToolFailure.class, () -> read(body, type), body);
        assertEquals(400, refused.status(), body);
        assertEquals("INVALID_PARAMETERS", refused.code(), body);
        return refused;
    }

    @Test
    void readsTheSeedsBodies() {
        ExecuteRequest execute = read("{\"worker_id\": \"w1\", \"action\": \"vm:click\", \"params\": {\"x\": 1, \"y\": 2.5}}",
                ExecuteRequest.class);
        assertEquals("w1", execute.workerId());
        assertEquals("vm:click", execute.action());
        assertEquals(2.5, execute.params().path("y").asDouble());
        BatchRequest batch = read("{\"worker_id\": \"w1\", \"actions\": [{\"action\": \"vm:screenshot\"}, {\"action\": "
                + "\"rag:search\", \"params\": {\"query\": \"q\"}}], \"parallel\": true, \"stop_on_error\": null}", BatchRequest.class);
        assertEquals(2, batch.actions().size());
        assertNull(batch.actions().get(0).params());
        assertEquals(Boolean.TRUE, batch.parallel());
        assertNull(batch.stopOnError());
        assertEquals(List.of(), bodies.read(new byte[0], WarmupRequest.class, new WarmupRequest(List.of())).resources());
    }

    @Test
    void namesTheFieldAtFault() {
        Object[][] cases = {
            {"{\"action\": \"a\", \"extra\": 1}", ExecuteRequest.class, "extra"},
            {"{\"worker_id\": 7, \"action\": \"a\"}", ExecuteRequest.class, "worker_id"},
            {"{\"worker_id\": true, \"action\": \"a\"}", ExecuteRequest.class, "worker_id"},
            {"{\"action\": {}}", ExecuteRequest.class, "action"},
            {"{\"action\": \"a\", \"params\": \"x\"}", ExecuteRequest.class, "params"},
            {"{\"worker_id\": \"w\", \"actions\": [{\"action\": \"a\"}], \"parallel\": 1}", BatchRequest.class, "parallel"},
            {"{\"worker_id\": \"w\", \"actions\": [{\"action\": \"a\"}], \"stop_on_error\": \"yes\"}", BatchRequest.class, "stop_on_error"},
            {"{\"worker_id\": \"w\", \"actions\": [{\"action\": \"a\"}, [1]]}", BatchRequest.class, "actions[1]"},
            {"{\"worker_id\": \"w\", \"actions\": [{\"action\": 3}]}", BatchRequest.class, "actions[0].action"},
            {"{\"worker_id\": \"w\", \"actions\": [{\"action\": \"a\", \"param\": {}}]}", BatchRequest.class, "actions[0].param"},
            {"{\"resources\": [\"vm\", 2]}", WarmupRequest.class, "resources[1]"},
        };
        for (Object[] c : cases) {
            ToolFailure refused = refused((String) c[0], (Class<?>) c[1]);
            assertEquals(c[2], refused.details().get("field"), (String) c[0]);
            assertTrue(refused.getMessage().startsWith("'" + c[2] + "'"), refused.getMessage());
        }
    }

    @Test
    void refusesADuplicateKeyAtAnyDepth() {
        for (String body : List.of("{\"worker_id\": \"a\", \"worker_id\": \"b\", \"action\": \"x\"}",
                "{\"worker_id\": \"a\", \"action\": \"x\", \"params\": {\"x\": 1, \"x\": 2}}")) {
            ToolFailure refused = refused(body, ExecuteRequest.class);
            assertEquals(400, refused.status());
            assertTrue(refused.getMessage().startsWith("the body is not JSON: duplicate key \""), body + " -> " + refused.getMessage());
        }
    }

    @Test
    void refusesWhatIsNoJsonObject() {
        for (String body : List.of("", "null", "[]", "\"x\"", "12", "{\"action\": \"a\"} {}", "{not json", "{\"action\": \"a\"")) {
            ToolFailure refused = refused(body, ExecuteRequest.class);
            assertTrue(refused.getMessage().contains("JSON"), body + " -> " + refused.getMessage());
        }
        assertEquals("the body must be one JSON object", refused("[]", ExecuteRequest.class).getMessage());
        assertEquals("the body is not JSON: content after the JSON value at line 1, column 17",
                refused("{\"action\": \"a\"} {}", ExecuteRequest.class).getMessage());
    }
}
