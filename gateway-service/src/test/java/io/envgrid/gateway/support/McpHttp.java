package io.envgrid.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Raw MCP over HTTP, for what a well-behaved SDK never sends: malformed, foreign, oversized requests. */
public final class McpHttp {

    private McpHttp() {
    }

    public static RequestSpecification mcp() {
        return given().contentType("application/json").accept("application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25");
    }

    /** Opens a Streamable HTTP session and answers its id. */
    public static String initialize(RequestSpecification spec) {
        Response response = spec.body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}")
                .post("/mcp");
        response.then().statusCode(200);
        return response.header("Mcp-Session-Id");
    }

    public static String callBody(int id, String tool, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }

    public static Response call(String session, int id, String tool, String argumentsJson) {
        return mcp().header("Mcp-Session-Id", session).body(callBody(id, tool, argumentsJson)).post("/mcp");
    }
}
