package io.envgrid.deviceagent.limit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.fleet.DesktopPorts;
import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.HeldRequest;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.ResetRefusals;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rate limit on an agent hosting desktops: every call through a desktop's port comes from the in-process proxy on
 * loopback, so it is counted per desktop too; a caller of the agent's own port cannot get a fresh bucket by naming
 * desktops (or forging the proxy's mark) itself. Each desktop's port carries a bounded number of calls at once, on
 * connections of its own, and admits a call with a body only once its credential passed the lease check on its head.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DesktopPortRateLimitTest {

    /** Whose quota the test measures: every window starts empty (another class may have called in the last minute). */
    @Inject
    RateLimiter limiter;

    @BeforeEach
    void startFromEmptyWindows() {
        limiter.forgetAll();
    }

    @Test
    void floodingOneDesktopsPortLeavesTheOtherDesktopsAndTheAgentsPortTheirQuota() {
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            int port = FleetDesktops.port(i);
            // the desktops' ports open once the agent's own listens, asynchronously
            Conditions.await(() -> answers(port), "desktop port " + port + " answers", Duration.ofSeconds(60));
        }
        for (int i = 0; i < 100; i++) {
            given().port(FleetDesktops.port(0)).get("/health").then().statusCode(200);
        }
        given().port(FleetDesktops.port(0)).get("/health").then().statusCode(429)
                .body("error.code", equalTo("RATE_LIMIT_EXCEEDED"));
        // desktop 1's callers and the agent's own port have their own quota (before: all shared 127.0.0.1's)
        given().port(FleetDesktops.port(1)).get("/health").then().statusCode(200);
        given().get("/health").then().statusCode(200);

        // on the agent's own port the desktop header is any caller's to choose: a new value is no new bucket, nor is a
        // made-up proxy mark (one call used above; 99 more reach the limit)
        for (int i = 1; i < 100; i++) {
            given().header(DesktopRouting.DESKTOP_HEADER, Integer.toString(i % FleetDesktops.COUNT))
                    .header(DesktopPorts.PROXY_MARK_HEADER, "forged-" + i).get("/health").then().statusCode(200);
        }
        given().header(DesktopRouting.DESKTOP_HEADER, "1").header(DesktopPorts.PROXY_MARK_HEADER, "forged")
                .get("/health").then().statusCode(429).body("error.code", equalTo("RATE_LIMIT_EXCEEDED"));
        given().header(DesktopRouting.DESKTOP_HEADER, "made-up").get("/health").then().statusCode(429);
        // and desktop 1's port still answers
        given().port(FleetDesktops.port(1)).get("/health").then().statusCode(200);
    }

    @Test
    void slowCallsFloodingOneDesktopsPortDelayNoOtherDesktop() throws Exception {
        // no reset owed by a former lease (of this class or another) left to begin while the flood runs
        FleetLeases.awaitAllFree();
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            int port = FleetDesktops.port(i);
            // serving, not being reset after another class's lease (a reset answers 503 until it is done)
            Conditions.await(() -> platformStatus(port) == 200, "desktop " + i + " serving", Duration.ofSeconds(120));
        }
        // more slow calls than desktop 0 admits (32) and than the one shared pool the proxies had before (64)
        int flood = 70;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < flood; i++) {
                calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base(0) + "/run_bash_script"))
                        .header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN)
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"sleep 8\",\"timeout\":30}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // the calls over the limit are answered at once, not queued (at least one: the fleet may begin a reset of
            // desktop 0 after another class's lease, whose 503s free places for more of the flood)
            Conditions.await(() -> calls.stream().anyMatch(call -> call.isDone() && call.join().statusCode() == 429),
                    "a call over desktop 0's limit answered 429", Duration.ofSeconds(30));
            HttpResponse<String> refused = calls.stream()
                    .filter(call -> call.isDone() && call.join().statusCode() == 429).findFirst().orElseThrow().join();
            assertTrue(refused.body().contains("\"RATE_LIMIT_EXCEEDED\""), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
            // before: desktop 1's call waited behind desktop 0's 64 pooled connections until they were free
            HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base(1) + "/platform"))
                    .header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            // the agent's own answer within 5 s: 200, or a reset's refusal (after another class's lease) if one began
            assertTrue(other.statusCode() == 200 || ResetRefusals.metAReset(other),
                    other.statusCode() + " " + other.body());
        } finally {
            // the admitted calls run to their end whatever happened above: a call still in flight would count against
            // desktop 0's limit in the next test
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).handle((done, failed) -> null)
                    .get(60, TimeUnit.SECONDS);
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> answer = call.join();
            // desktop 0 may have begun a reset while the call ran (see above); never a proxy's 502/504
            assertTrue(answer.statusCode() == 200 || answer.statusCode() == 429 || ResetRefusals.metAReset(answer),
                    answer.statusCode() + " " + answer.body());
        }
        // and once they are done, desktop 0 admits calls again
        Conditions.await(() -> platformStatus(FleetDesktops.port(0)) == 200, "desktop 0 serving again",
                Duration.ofSeconds(120));
    }

    /**
     * Found by a review: a call took one of its desktop's call places on its head and had its lease checked only once
     * its body was in, so made-up lease tokens trickling bodies (each read waits up to the 60 s read timeout) held
     * every place and the real holder's calls were answered 429.
     */
    @Test
    void madeUpLeaseTokensTricklingBodiesHoldNoCallPlaceOfTheRealHolder() throws Exception {
        int places = ConfigProvider.getConfig().getValue("envgrid.device-agent.desktops.max-concurrent-calls",
                Integer.class);
        JsonPath grant = given().baseUri(RealAllocator.url().toString())
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-head-check", "resource_types", List.of("vm_pyautogui"),
                        "timeout", 120, "wait_ms", 60000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
        int port = grant.getInt("vm_pyautogui.port");
        String leaseToken = grant.getString("vm_pyautogui.lease_token");
        URI desktop = URI.create("http://127.0.0.1:" + port);
        List<HeldRequest> trickles = new ArrayList<>();
        try {
            // as many calls as the desktop has places, each with a made-up token of the lease token's form, declaring
            // a body and sending a few bytes of it: a JSON route, a chunked body, a multipart upload
            for (int i = 0; i < places; i++) {
                String token = "X-Envgrid-Lease-Token: elt_" + madeUpToken();
                byte[] head = switch (i % 3) {
                    case 0 -> HeldRequest.head(desktop, "POST", "/execute", "application/json", 4096, token);
                    case 1 -> HeldRequest.head(desktop, "POST", "/run_bash_script", "application/json", -1, token,
                            "Transfer-Encoding: chunked");
                    default -> HeldRequest.head(desktop, "POST", "/setup/upload",
                            "multipart/form-data; boundary=b", 4096, token);
                };
                byte[] someBody = (i % 3 == 1 ? "3\r\n{\"s" : "{\"com").getBytes(StandardCharsets.US_ASCII);
                byte[] request = new byte[head.length + someBody.length];
                System.arraycopy(head, 0, request, 0, head.length);
                System.arraycopy(someBody, 0, request, head.length, someBody.length);
                trickles.add(HeldRequest.begin(desktop, request));
            }
            // each is refused at once, on its head, with the route's refusal (before: no answer while the body trickled)
            for (HeldRequest trickle : trickles) {
                String answer = trickle.answer(Duration.ofSeconds(5));
                assertTrue(answer.startsWith("HTTP/1.1 409"), answer);
                assertTrue(answer.contains("\"LEASE_NOT_LIVE\""), answer);
            }
            // while they still hold their connections, the real holder's call is admitted and answered promptly
            HttpResponse<String> held = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(HttpRequest.newBuilder(URI.create(desktop + "/execute"))
                            .header("X-Envgrid-Lease-Token", leaseToken).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"echo held\",\"shell\":true}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, held.statusCode(), held.body());
            assertTrue(held.body().contains("held"), held.body());
        } finally {
            for (HeldRequest trickle : trickles) {
                trickle.close();
            }
            given().baseUri(RealAllocator.url().toString())
                    .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("worker_id", "worker-head-check", "resource_id", grant.getString("vm_pyautogui.id")))
                    .post("/release").then().statusCode(200);
        }
    }

    /** 22 base64url characters: the form of a lease token's random part, and never one the allocator issued. */
    private static String madeUpToken() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static int platformStatus(int port) {
        try {
            return given().port(port).header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN).get("/platform")
                    .statusCode();
        } catch (Exception notYetListening) { // rest-assured throws the connect failure (checked) unwrapped
            return -1;
        }
    }

    private static String base(int desktop) {
        return "http://127.0.0.1:" + FleetDesktops.port(desktop);
    }

    /** Whether the agent answers through {@code port}: on a desktop route, which is not rate limited. */
    private static boolean answers(int port) {
        try {
            int status = given().port(port).get("/platform").statusCode(); // the lock's 401 or a reset's 503: any answer
            return status != 502 && status != 504; // the proxy's own answers when the agent is out of reach
        } catch (Exception notYetListening) { // rest-assured throws the connect failure (checked) unwrapped
            return false;
        }
    }
}
