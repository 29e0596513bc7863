package io.envgrid.gateway.json;

import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP front end answers a body that is no strict JSON the same way: its own status and code, and a message saying
 * what was wrong and where ({@link StrictJson#problem}), never Jackson's text ({@code Source: REDACTED …}, class names).
 * The SMCP front end closes the connection on such a packet and tells no reason (as the reference does):
 * {@code SocketIoPacketTest}.
 */
@QuarkusTest
@WithCluster
class ParseErrorsTest {

    /** A front end: how a body is posted to it, its {@code error.code} and what its {@code error.message} starts with. */
    private record FrontEnd(String name, Function<String, Response> post, Object code, String messagePrefix) {
    }

    /** A body refused, and the problem (with its place) every front end must name. */
    private record Refused(String body, String problem) {
    }

    private static final List<FrontEnd> FRONT_ENDS = List.of(
            new FrontEnd("Streamable HTTP", body -> mcp().body(body).post("/mcp"), JsonRpc.PARSE_ERROR,
                    "Parse error: "),
            // the body is read before the session is looked up: no session is needed to see its parse error
            new FrontEnd("legacy SSE", body -> mcp().body(body).post("/messages?sessionId=no-such-session"),
                    JsonRpc.PARSE_ERROR, "Parse error: "),
            new FrontEnd("Sandbox API", body -> SandboxHttp.post("/execute", body), "INVALID_PARAMETERS",
                    "the body is not JSON: "));

    private static final List<Refused> BODIES = List.of(
            new Refused("{\"worker_id\":\"a\",\n\"worker_id\":\"b\"}", "duplicate key \"worker_id\" at line 2, column 12"),
            new Refused("{\"worker_id\":\"a\",", "unexpected end of input at line 1, column 18"),
            // a second value: read alone, the first would be acted on and the rest dropped unseen
            new Refused("{\"worker_id\":\"a\"} {\"worker_id\":\"b\"}", "content after the JSON value at line 1, column 19"),
            // inside a free-form value (a tool's params): the Sandbox API reads it as a tree within its record
            new Refused("{\"worker_id\":\"a\",\"params\":{\"x\":1,\"x\":2}}", "duplicate key \"x\" at line 1, column 37"));

    @Test
    void aDuplicateKeyOrATruncatedBodyIsNamedWithItsPlaceOnEveryFrontEnd() {
        for (FrontEnd frontEnd : FRONT_ENDS) {
            for (Refused refused : BODIES) {
                String what = frontEnd.name() + " <- " + refused.body();
                Response response = frontEnd.post().apply(refused.body());
                assertEquals(400, response.statusCode(), what);
                JsonPath answer = response.jsonPath();
                assertEquals(frontEnd.code(), answer.get("error.code"), what);
                String message = answer.getString("error.message");
                for (String internal : List.of("Source:", "REDACTED", "com.fasterxml")) {
                    assertFalse(message.contains(internal), what + " -> " + message);
                }
                assertEquals(frontEnd.messagePrefix() + refused.problem(), message, what);
            }
        }
    }
}
