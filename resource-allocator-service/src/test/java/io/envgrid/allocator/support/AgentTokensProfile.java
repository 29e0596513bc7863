package io.envgrid.allocator.support;

import io.envgrid.allocator.auth.AgentTokens;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;

/** Token mode with a service token and per-agent tokens, shared by the classes that tell principals apart. */
public class AgentTokensProfile implements QuarkusTestProfile {

    public static final String SERVICE_TOKEN = "s3cret";
    public static final AgentTokens AGENT_TOKENS = new AgentTokens("agent-token-key-for-tests");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("envgrid.allocator.auth", "token", "envgrid.allocator.service-token", SERVICE_TOKEN,
                "envgrid.allocator.agent-token-key", "agent-token-key-for-tests");
    }

    /** {@code Bearer <token>} of the service token. */
    public static String service() {
        return "Bearer " + SERVICE_TOKEN;
    }

    /** A JSON request carrying {@code authorization} (one of the two below). */
    public static RequestSpecification as(String authorization) {
        return RestAssured.given().header("Authorization", authorization).contentType(ContentType.JSON);
    }

    /** {@code Bearer <token>} of agent {@code id}. */
    public static String agent(String id) {
        return "Bearer " + AGENT_TOKENS.mint(id);
    }
}
