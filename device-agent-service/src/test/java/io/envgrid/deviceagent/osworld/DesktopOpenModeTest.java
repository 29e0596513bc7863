package io.envgrid.deviceagent.osworld;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.deviceagent.support.WithXvfb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code envgrid.device-agent.desktop.auth=open}, for local development: the desktop answers without a credential. */
@QuarkusTest
@TestProfile(DesktopOpenModeTest.Open.class)
@WithXvfb
class DesktopOpenModeTest {

    /** The lock turned off explicitly. */
    public static class Open implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktop.auth", "open");
        }
    }

    @Test
    void openModeLetsAnyCallerIn() {
        given().get("/platform").then().statusCode(200).body(equalTo("Linux"));
        given().contentType(ContentType.JSON).body(Map.of("command", List.of("echo", "open"), "shell", false))
                .post("/execute").then().statusCode(200).body("output", equalTo("open\n"));
    }
}
