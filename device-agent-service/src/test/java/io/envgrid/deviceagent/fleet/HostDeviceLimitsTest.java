package io.envgrid.deviceagent.fleet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The host device's commands run under a hosted desktop's limits (issue 13; before, under none: the agent's own
 * group and its uid's unlimited process count): its control group {@code host-device} with {@code limits.max-memory},
 * and {@code prlimit}'s process and open-file limits. A worker's allocation over the memory limit is killed (137)
 * and a fork loop stops at {@code max-processes}, while the agent answers.
 */
@QuarkusTest
@WithAllocator
@TestProfile(HostDeviceLimitsTest.SmallLimits.class)
class HostDeviceLimitsTest {

    private static final String HOST_RESOURCE = RealAllocator.AGENT_ID + ":test-host";
    private static final int MAX_PROCESSES = 100;
    private static final long MAX_MEMORY = 160L << 20;

    /**
     * Small limits, so that a hog and a fork loop reach them fast; the test profile's 2 s command timeout raised,
     * since a hog is killed only once the kernel has reclaimed what it could, which took longer on a loaded machine
     * (a clean-clone CI run answered 408).
     */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktops.limits.max-memory", "160m",
                    "envgrid.device-agent.desktops.limits.max-processes", Integer.toString(MAX_PROCESSES),
                    "envgrid.device-agent.desktops.limits.max-open-files", "1024",
                    "envgrid.device-agent.command-timeout", "60s");
        }
    }

    @Test
    void theHostDevicesCommandsAreBoundedLikeADesktops() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(),
                "needs root: the agent makes the control groups and switches users");
        Conditions.await(() -> "free".equals(allocator().get(RealAllocator.resourcePath(HOST_RESOURCE)).then()
                .extract().path("state")), HOST_RESOURCE + " free", Duration.ofSeconds(60));
        String token = allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-limits", "resource_types", List.of("device_linux"), "timeout", 120))
                .post("/allocate").then().statusCode(200).extract().path("device_linux.lease_token");
        try {
            String place = execute(token, "cat /proc/self/cgroup; grep -E '^Max (processes|open files)' "
                    + "/proc/self/limits").getString("output");
            assertTrue(place.matches("(?s).*Max processes +" + MAX_PROCESSES + " +" + MAX_PROCESSES + ".*"), place);
            assertTrue(place.matches("(?s).*Max open files +1024 +1024.*"), place);
            String memoryLine = place.lines().filter(l -> l.matches("\\d+:(memory|):.*")).findFirst().orElseThrow();
            assertTrue(memoryLine.endsWith("/host-device"), place);
            Path group = memoryLine.contains(":memory:")
                    ? Path.of("/sys/fs/cgroup/memory", memoryLine.substring(memoryLine.indexOf(":/") + 2))
                    : Path.of("/sys/fs/cgroup", memoryLine.substring(memoryLine.indexOf(":/") + 2));
            String limitFile = memoryLine.contains(":memory:") ? "memory.limit_in_bytes" : "memory.max";
            assertEquals(Long.toString(MAX_MEMORY), Files.readString(group.resolve(limitFile)).strip());

            JsonPath hog = execute(token, "python3 -c 'b = b\"x\" * (768 << 20); print(len(b))'");
            assertEquals(137, hog.getInt("exit_code"), hog.prettify());

            // children hold their slot for 30 s with their output closed, so the answer comes when the parent ends
            JsonPath forks = execute(token, "python3 -c '\nimport os, time\nn = 0\nfor i in range(300):\n    try:\n"
                    + "        if os.fork() == 0:\n            os.closerange(0, 3); time.sleep(30); os._exit(0)\n"
                    + "        n += 1\n    except OSError:\n        pass\nprint(n)'");
            int forked = Integer.parseInt(forks.getString("output").strip());
            assertTrue(forked > MAX_PROCESSES / 2 && forked < MAX_PROCESSES, "forked " + forked);
            given().get("/health").then().statusCode(200);
        } finally {
            allocator().contentType(ContentType.JSON).body(Map.of("worker_id", "worker-limits", "resource_id",
                    HOST_RESOURCE)).post("/release");
        }
    }

    private static JsonPath execute(String token, String command) {
        return given().header("X-Envgrid-Lease-Token", token).contentType(ContentType.JSON)
                .body(Map.of("device_id", "test-host", "command", command)).post("/tools/device.execute/call").then()
                .statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}
