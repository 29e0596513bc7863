package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.SocketIoDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both halves of A2C-SMCP together, nothing faked: the packaged device agent as Computer hosting
 * {@code @modelcontextprotocol/server-everything} twice, over stdio (bundle {@code everything}) and over Streamable
 * HTTP (bundle {@code streamable}, the server a process of the test on a free port), dials the second gateway replica
 * (announcing 0.4.0) and joins an office; an agent (the npm {@code socket.io-client}, protocol 0.5.0) on the first
 * replica lists each server's tools, calls one, cancels a long call (the hosted server receives
 * {@code notifications/cancelled} for it), lets one time out, and asks for a call's progress (envgrid's extension:
 * {@code notify:tool_call_progress} before the answer). Each test runs once per server. One Computer and one agent
 * for the whole class.
 */
class EverythingComputerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);
    private static final String LONG = "__trigger-long-running-operation";

    private static SocketIoDriver driver;
    private static EverythingComputer computer;
    private static String agent;

    @BeforeAll
    static void startComputerAndAgent() {
        SmcpGateways gateways = SmcpGateways.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        computer = EverythingComputer.start("computer-" + run, Offices.office(), gateways.second.url(), "0.4.0", true);
        driver = SocketIoDriver.start();
        Offices offices = new Offices(driver);
        agent = offices.connect("agent-" + run, gateways.first.url(), "0.5.0");
        assertEquals(0, offices.join(agent, "agent", agent, computer.office).size(), "0.5's empty join ack");
        Conditions.await("the Computer joined the office", START, () -> StreamSupport.stream(
                offices.listRoom(agent, agent, computer.office).get(0).path("sessions").spliterator(), false)
                .anyMatch(s -> s.path("name").asText().equals(computer.name)));
        Conditions.await("both hosted servers' tools are listed", START, () -> toolNames().contains(
                EverythingComputer.STDIO + "__echo") && toolNames().contains(EverythingComputer.STREAMABLE + "__echo"));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.close();
        }
        if (computer != null) {
            computer.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {EverythingComputer.STDIO, EverythingComputer.STREAMABLE})
    void theAgentListsAndCallsTheComputersTools(String bundle) {
        JsonNode tools = getTools();
        JsonNode echo = StreamSupport.stream(tools.path("tools").spliterator(), false)
                .filter(t -> t.path("name").asText().equals(bundle + "__echo")).findFirst().orElseThrow();
        assertEquals(bundle, echo.path("bundle_id").asText(), echo.toString());
        // the SMCPTool shape: the MCP input schema as params_schema
        assertEquals("string", echo.path("params_schema").path("properties").path("message").path("type").asText(), echo.toString());
        assertTrue(toolNames().contains(bundle + LONG), toolNames());

        ObjectNode call = Offices.call(agent, computer.name).put("tool_name", bundle + "__echo").put("timeout", 20);
        call.putObject("params").put("message", "through two replicas");
        JsonNode result = Offices.acked(driver.emit(agent, "client:tool_call", 30_000, call)).get(0);
        assertFalse(result.path("isError").asBoolean(), result.toString());
        assertEquals("Echo: through two replicas", result.path("content").get(0).path("text").asText(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {EverythingComputer.STDIO, EverythingComputer.STREAMABLE})
    void aCancelledCallIsCancelledAtTheHostedServer(String bundle) throws Exception {
        String reqId = "cancel-" + UUID.randomUUID();
        ObjectNode call = longCall(bundle, reqId, 120);
        CompletableFuture<JsonNode> answer = driver.emitAsync(agent, "client:tool_call", 60_000, call);
        Conditions.await("the long call reached the hosted server", START, () -> line(bundle, reqId) != null);

        driver.send(agent, "server:tool_call_cancel", SocketIoDriver.object().put("agent", agent).put("req_id", reqId));
        JsonNode result = Offices.acked(answer.get(30, TimeUnit.SECONDS)).get(0);
        assertTrue(result.path("isError").asBoolean(), result.toString());
        assertTrue(result.path("meta").path("a2c_cancelled").asBoolean(), result.toString());
        JsonNode requestId = JSON.readTree(line(bundle, reqId)).path("id");
        Conditions.await("the hosted server received notifications/cancelled for the call", START,
                () -> cancellationsOf(bundle, requestId) == 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {EverythingComputer.STDIO, EverythingComputer.STREAMABLE})
    void aCallPastItsTimeoutGetsNoAckAndIsCancelledAtTheHostedServer(String bundle) throws Exception {
        String reqId = "timeout-" + UUID.randomUUID();
        // as from the reference server: the gateway stops waiting at the call's timeout and the agent gets no ack
        JsonNode answer = driver.emit(agent, "client:tool_call", 2_000 + 4_000, longCall(bundle, reqId, 2));
        assertFalse(answer.path("acked").asBoolean(), answer.toString());
        JsonNode requestId = JSON.readTree(line(bundle, reqId)).path("id");
        // the Computer's own timeout aborts the call at the hosted server
        Conditions.await("the timed-out call was cancelled at the hosted server", START,
                () -> cancellationsOf(bundle, requestId) == 1);

        ObjectNode after = Offices.call(agent, computer.name).put("tool_name", bundle + "__echo").put("timeout", 20);
        after.putObject("params").put("message", "still serving");
        JsonNode result = Offices.acked(driver.emit(agent, "client:tool_call", 30_000, after)).get(0);
        assertEquals("Echo: still serving", result.path("content").get(0).path("text").asText(), result.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {EverythingComputer.STDIO, EverythingComputer.STREAMABLE})
    void anAgentThatAsksForProgressHearsTheHostedServersReportsBeforeItsAnswer(String bundle) {
        String reqId = "progress-" + UUID.randomUUID();
        ObjectNode call = Offices.call(agent, computer.name).put("req_id", reqId).put("tool_name", bundle + LONG)
                .put("timeout", 30).put("envgrid_progress", true);
        call.putObject("params").put("duration", 1).put("steps", 2);
        JsonNode result = Offices.acked(driver.emit(agent, "client:tool_call", 30_000, call)).get(0);
        assertFalse(result.path("isError").asBoolean(), result.toString());

        List<JsonNode> reports = StreamSupport.stream(driver.events(agent).spliterator(), false)
                .filter(e -> e.path("event").asText().equals("notify:tool_call_progress"))
                .map(e -> e.path("args").path(0)).toList();
        assertEquals(2, reports.size(), reports.toString());
        for (int i = 0; i < 2; i++) {
            assertEquals(reqId, reports.get(i).path("req_id").asText(), reports.toString());
            assertEquals(agent, reports.get(i).path("agent").asText(), reports.toString());
            assertEquals(i + 1, reports.get(i).path("progress").asInt(), reports.toString());
            assertEquals(2, reports.get(i).path("total").asInt(), reports.toString());
        }
    }

    private static ObjectNode longCall(String bundle, String reqId, int timeoutSeconds) {
        ObjectNode call = Offices.call(agent, computer.name).put("req_id", reqId).put("tool_name", bundle + LONG)
                .put("timeout", timeoutSeconds);
        call.putObject("params").put("duration", 60).put("steps", 60);
        return call;
    }

    private static JsonNode getTools() {
        return Offices.acked(driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, computer.name)))
                .get(0);
    }

    private static String toolNames() {
        StringBuilder names = new StringBuilder();
        getTools().path("tools").forEach(t -> names.append(t.path("name").asText()).append(' '));
        return names.toString();
    }

    /** The message the bundle's server received that carries the request id (the Computer's call key names it). */
    private static String line(String bundle, String reqId) {
        return computer.received(bundle).stream().filter(l -> l.contains(reqId)).findFirst().orElse(null);
    }

    private static long cancellationsOf(String bundle, JsonNode requestId) {
        return computer.received(bundle).stream().filter(l -> l.contains("notifications/cancelled")).map(l -> {
            try {
                return JSON.readTree(l).path("params").path("requestId");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(requestId::equals).count();
    }
}
