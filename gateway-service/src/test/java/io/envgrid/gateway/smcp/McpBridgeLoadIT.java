package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP bridge under load, across replicas: the packaged device agent as Computer (server-everything over stdio) on
 * the second replica, MCP sessions on both. 200 bridged calls, 8 in flight — echoes, calls with progress and calls the
 * client cancels at once — each get exactly one answer, their own (an echo its own text, a progress call only its own
 * progress token's notifications, a cancelled call the cancellation), and each echo reached the hosted server exactly
 * once, while the office's tool list changes twice under them (a second server added and removed through the agent's
 * API: every bound session is sent {@code tools/list_changed} and the office's listing is rebuilt). A burst over the session's cap of calls in flight is refused call by call ({@code RATE_LIMITED}), never
 * dropped.
 */
class McpBridgeLoadIT {

    private static final int CALLS = 200;
    private static final int IN_FLIGHT = 8;
    /** The replicas' {@code max-pending-calls-per-socket} (default). */
    private static final int SESSION_CAP = 32;

    private static SmcpGateways gateways;
    private static EverythingComputer computer;
    /** The MCP names of the Computer's tools ({@code {computer}.{exposed}}). */
    private static String echo;
    private static String longRunning;

    @BeforeAll
    static void startComputer() {
        gateways = SmcpGateways.get();
        computer = EverythingComputer.start("loaded-" + UUID.randomUUID().toString().substring(0, 8), Offices.office(),
                gateways.second.url(), "0.5.0");
        echo = computer.name + ".everything__echo";
        longRunning = computer.name + ".everything__trigger-long-running-operation";
        Conditions.await("the Computer's tools reach a bound MCP session", Duration.ofSeconds(90),
                () -> bound(gateways.first.url()).toolNames(SmcpGateways.TOKEN).contains(echo));
    }

    @AfterAll
    static void stop() {
        if (computer != null) {
            computer.close();
        }
    }

    private static McpBridgeSession bound(String url) {
        McpBridgeSession session = McpBridgeSession.open(url, SmcpGateways.TOKEN);
        JsonNode joined = session.call(SmcpGateways.TOKEN, "smcp_join_office",
                McpBridgeSession.args().put("office_id", computer.office));
        assertTrue(joined.has("result") && !joined.path("result").path("isError").asBoolean(), joined.toString());
        return session;
    }

    @Test
    void twoHundredConcurrentBridgedCallsEachGetExactlyOneAnswerOfTheirOwn() throws InterruptedException {
        List<McpBridgeSession> sessions = List.of(bound(gateways.first.url()), bound(gateways.second.url()));
        Semaphore slots = new Semaphore(IN_FLIGHT);
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < CALLS; i++) {
            if (i == CALLS / 4) {
                churn("PUT");
            } else if (i == 3 * CALLS / 4) {
                churn("DELETE");
            }
            slots.acquire();
            McpBridgeSession session = sessions.get(i % 2);
            int n = i;
            CompletableFuture<?> call = switch (i % 4) {
                case 0 -> session.callWithProgress(SmcpGateways.TOKEN, longRunning, McpBridgeSession.args().put("duration", 1)
                        .put("steps", 2), "p-" + run + "-" + n, id -> { }).thenAccept(messages -> {
                            JsonNode answer = onlyAnswer(messages, wrong, n);
                            if (answer != null && (!answer.has("result") || answer.path("result").path("isError").asBoolean())) {
                                wrong.add(n + ": the progress call failed: " + answer);
                            }
                            List<JsonNode> progress = messages.stream().filter(m -> "notifications/progress"
                                    .equals(m.path("method").asText())).toList();
                            if (progress.size() != 2 || progress.stream().anyMatch(p -> !("p-" + run + "-" + n)
                                    .equals(p.path("params").path("progressToken").asText()))) {
                                wrong.add(n + ": expected its 2 progress notifications, got " + progress);
                            }
                        });
                case 2 -> session.callWithProgress(SmcpGateways.TOKEN, longRunning, McpBridgeSession.args().put("duration", 60)
                        .put("steps", 60), "c-" + run + "-" + n, id -> session.cancel(SmcpGateways.TOKEN, id).join())
                        .thenAccept(messages -> {
                            JsonNode answer = onlyAnswer(messages, wrong, n);
                            if (answer != null && answer.path("error").path("code").asInt() != -32800) {
                                wrong.add(n + ": the cancelled call was not answered as cancelled: " + answer);
                            }
                        });
                default -> session.callAsync(SmcpGateways.TOKEN, echo,
                        McpBridgeSession.args().put("message", "load-" + run + "-" + n)).thenAccept(answer -> {
                            String text = answer.path("result").path("content").path(0).path("text").asText();
                            if (!("Echo: load-" + run + "-" + n).equals(text)) {
                                wrong.add(n + ": the echo answered " + answer);
                            }
                        });
            };
            calls.add(call.whenComplete((r, e) -> {
                slots.release();
                if (e != null) {
                    wrong.add(n + ": " + e);
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        assertEquals(List.of(), List.copyOf(wrong));

        // each echo ran exactly once on the hosted server
        Map<String, Long> echoed = computer.received().stream().map(McpSteps::readTree)
                .filter(m -> "tools/call".equals(m.path("method").asText()))
                .map(m -> m.path("params").path("arguments").path("message").asText())
                .filter(m -> m.startsWith("load-" + run + "-"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertEquals(CALLS / 2, echoed.size(), echoed.toString());
        assertTrue(echoed.values().stream().allMatch(c -> c == 1), echoed.toString());
    }

    @Test
    void aBurstOverTheSessionsCapIsRefusedCallByCallNeverDropped() {
        McpBridgeSession session = bound(gateways.first.url());
        int burst = SESSION_CAP + 8;
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            calls.add(session.callAsync(SmcpGateways.TOKEN, longRunning, McpBridgeSession.args().put("duration", 20).put("steps", 1)));
        }
        int answered = 0;
        int refused = 0;
        for (CompletableFuture<JsonNode> call : calls) {
            JsonNode result = call.join().path("result");
            if (!result.path("isError").asBoolean()) {
                answered++;
            } else {
                assertEquals("RATE_LIMITED", result.path("structuredContent").path("error").path("code").asText(), result.toString());
                assertEquals("session", result.path("structuredContent").path("error").path("details").path("scope").asText());
                refused++;
            }
        }
        assertEquals(burst, answered + refused);
        assertTrue(refused >= 1 && answered >= SESSION_CAP, answered + " answered, " + refused + " refused");
    }

    /** Adds ({@code PUT}) or removes ({@code DELETE}) a second server on the Computer: its tool list changes. */
    private static void churn(String method) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(computer.agent.url() + "/computer/servers/churn"))
                .header("Authorization", "Bearer " + EverythingComputer.SERVICE_TOKEN).timeout(Duration.ofSeconds(60));
        try {
            if (method.equals("PUT")) {
                request.header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        new ObjectMapper().writeValueAsString(EverythingComputer.serverConfig("churn",
                                computer.trace.resolveSibling("churn-trace.jsonl")))));
            } else {
                request.DELETE();
            }
            int status = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            assertTrue(status / 100 == 2, method + " churn: " + status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The one response among a call's stream messages; records a fault when there is none or more than one. */
    private static JsonNode onlyAnswer(List<JsonNode> messages, Queue<String> wrong, int n) {
        List<JsonNode> answers = messages.stream().filter(m -> m.has("id")).toList();
        if (answers.size() != 1) {
            wrong.add(n + ": " + answers.size() + " answers: " + messages);
            return null;
        }
        return answers.get(0);
    }
}
