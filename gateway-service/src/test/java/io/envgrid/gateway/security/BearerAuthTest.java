package io.envgrid.gateway.security;

import static io.envgrid.gateway.security.TokenAuth.FIXED;
import static io.envgrid.gateway.security.TokenAuth.SECRET;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With tokens configured, every MCP and Sandbox entry point wants a valid bearer token: fixed, or signed and unexpired. */
@QuarkusTest
@WithCluster
@TestProfile(TokenAuth.class)
class BearerAuthTest {

    @TestHTTPResource("/mcp")
    URL mcp;

    @TestHTTPResource("/sse")
    URL sse;

    @Test
    void missingOrWrongTokensAre401AndOpenNoSession() {
        mcp().body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}")
                .post("/mcp").then().statusCode(401).header("WWW-Authenticate", "Bearer").header("Mcp-Session-Id", (String) null)
                .body("error.code", equalTo(-32003));
        mcp().header("Authorization", "Bearer not-it").body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(401);
        io.restassured.RestAssured.given().get("/sse").then().statusCode(401);
        io.restassured.RestAssured.given().contentType("application/json").body("{}").post("/messages?sessionId=x")
                .then().statusCode(401);
    }

    /**
     * The JDK's HttpClient asks for HTTP/2 by default (an h2c upgrade on plain HTTP): the upgraded request carries
     * {@code :authority} and no Host header, and must pass the Host check like any other (it used to be 403).
     */
    @Test
    void anHttp2ClientPassesTheHostCheck() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 2; i++) { // the first request upgrades the connection, the second runs on HTTP/2
            java.net.http.HttpResponse<String> tools = client.send(java.net.http.HttpRequest.newBuilder(
                    URI.create(mcp.toString().replace("/mcp", "/tools"))).header("Authorization", "Bearer " + FIXED)
                    .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, tools.statusCode(), tools.body());
            java.net.http.HttpResponse<String> ping = client.send(java.net.http.HttpRequest.newBuilder(mcp.toURI())
                    .header("Authorization", "Bearer " + FIXED).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                                    + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"jdk\",\"version\":\"1\"}}}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ping.statusCode(), ping.body());
        }
    }

    @Test
    void theSandboxApiWantsTheSameTokens() {
        String worker = "auth-sandbox-" + java.util.UUID.randomUUID();
        String create = "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}";
        io.restassured.RestAssured.given().contentType("application/json").body(create).post("/session/create").then()
                .statusCode(401).header("WWW-Authenticate", "Bearer").body("error.code", equalTo("UNAUTHORIZED"));
        io.restassured.RestAssured.given().get("/tools").then().statusCode(401);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + FIXED).header("Origin", "http://evil.example")
                .get("/tools").then().statusCode(403).body("error.code", equalTo("FORBIDDEN_ORIGIN"));
        String signed = TokenVerifier.mint("rollout-1", Instant.now().plusSeconds(600), SECRET);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + signed).get("/tools").then().statusCode(200);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + FIXED).contentType("application/json")
                .body("{\"worker_id\": \"" + worker + "\"}").post("/session/list").then().statusCode(200)
                .body("count", equalTo(0));
    }

    @Test
    void expiredAndForgedSignedTokensAre401() {
        String expired = TokenVerifier.mint("agent-7", Instant.now().minusSeconds(5), SECRET);
        mcp().header("Authorization", "Bearer " + expired).body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(401).body("error.message", equalTo("the bearer token has expired"));
        String forged = TokenVerifier.mint("agent-7", Instant.now().plusSeconds(600), "another-secret".getBytes(StandardCharsets.UTF_8));
        mcp().header("Authorization", "Bearer " + forged).body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")
                .post("/mcp").then().statusCode(401);
    }

    @Test
    void validTokensWorkWithTheSdkOnBothTransports() {
        String signed = TokenVerifier.mint("agent-7", Instant.now().plusSeconds(600), SECRET);
        McpHttp.initialize(mcp().header("Authorization", "Bearer " + FIXED));
        for (String transport : List.of("streamable", "sse")) {
            var steps = McpClient.steps();
            steps.addObject().put("op", "ping");
            List<JsonNode> out = McpClient.run((transport.equals("sse") ? sse : mcp).toString(), transport,
                    List.of("Authorization: Bearer " + signed), steps);
            assertTrue(out.get(0).path("ok").asBoolean(), out.toString());
            assertEquals(true, out.get(1).path("ok").asBoolean(), out.toString());
        }
    }
}
