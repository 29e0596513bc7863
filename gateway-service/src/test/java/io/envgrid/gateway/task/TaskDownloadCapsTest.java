package io.envgrid.gateway.task;

import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.desktop.OsWorldTasksTest;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The caps on what one desktop's OSWorld task may download ({@code envgrid.gateway.task-downloads.max-files} 64,
 * {@code max-bytes} 16 MiB in all, at their defaults), against a file server of the test's own on loopback (allowed
 * by the profile's {@code allowed-hosts}): 65 files are refused before anything is fetched or run; downloads that
 * pass 16 MiB together are refused while the file that passes it is still arriving, and the desktop runs nothing.
 */
@QuarkusTest
@WithCluster
@TestProfile(OsWorldTasksTest.TasksProfile.class)
class TaskDownloadCapsTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MIB = 1 << 20;
    /** What the last file sends before it holds back the rest: past the 4 MiB the first two files leave of 16 MiB. */
    private static final int SENT_FIRST = 4 * MIB + 64 * 1024;

    private HttpServer files;
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private final CountDownLatch sendTheRest = new CountDownLatch(1);
    private final AtomicBoolean restStarted = new AtomicBoolean();

    @BeforeEach
    void startFileServer() throws IOException {
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        files.createContext("/", this::serve);
        files.setExecutor(Executors.newFixedThreadPool(4));
        files.start();
    }

    @AfterEach
    void stopFileServer() {
        sendTheRest.countDown();
        files.stop(0);
    }

    /** {@code /small/<n>}: 10 bytes; {@code /six/<n>}: 6 MiB; {@code /eight}: 8 MiB, the part past 4 MiB held back. */
    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requested.add(path);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (path.startsWith("/small/")) {
                exchange.sendResponseHeaders(200, 10);
                out.write(new byte[10]);
            } else if (path.startsWith("/six/")) {
                exchange.sendResponseHeaders(200, 6 * MIB);
                out.write(new byte[6 * MIB]);
            } else {
                exchange.sendResponseHeaders(200, 8 * MIB);
                out.write(new byte[SENT_FIRST]);
                out.flush();
                try {
                    sendTheRest.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                restStarted.set(true);
                out.write(new byte[8 * MIB - SENT_FIRST]);
            }
        } catch (IOException e) {
            // the gateway stopped reading and reset the connection: what the byte cap is for
        }
    }

    @Test
    void moreThan64FilesAreRefusedBeforeAnythingIsFetchedOrRun() {
        List<String> urls = new java.util.ArrayList<>();
        for (int i = 0; i < 65; i++) {
            urls.add(url("/small/" + i));
        }
        JsonNode error = refusedSetup(urls);
        assertTrue(error.path("message").asText().contains("task-downloads.max-files"), error.toString());
        assertEquals(64, error.path("details").path("max_files").asInt(), error.toString());
        assertEquals(List.of(), requested, "nothing fetched");
    }

    @Test
    void downloadsPassing16MibInAllAreRefusedAsTheBytesArrive() {
        JsonNode error = refusedSetup(List.of(url("/six/1"), url("/six/2"), url("/eight")));
        assertFalse(restStarted.get(), "refused while the third file was still arriving, not after it had all come");
        assertTrue(error.path("message").asText().contains("task-downloads.max-bytes"), error.toString());
        assertEquals(16 * MIB, error.path("details").path("max_bytes").asInt(), error.toString());
        assertEquals(List.of("/six/1", "/six/2", "/eight"), requested);
    }

    @Test
    void downloadsWithinTheCapsAreFetched() {
        String session = McpHttp.initialize(mcp());
        String worker = "downloads-ok-" + UUID.randomUUID();
        allocate(session, worker);
        JsonNode answer = setup(session, List.of(url("/small/1"), url("/small/2")));
        assertFalse(answer.path("result").path("isError").asBoolean(true), answer.toString());
        assertEquals(List.of("/small/1", "/small/2"), requested);
        McpHttp.call(session, 4, "release_batch_resources", "{}");
    }

    /** A desktop's set-up with one download step of {@code urls}, refused: its error, having run nothing on the desktop. */
    private JsonNode refusedSetup(List<String> urls) {
        String session = McpHttp.initialize(mcp());
        allocate(session, "downloads-" + UUID.randomUUID());
        int commandsBefore = desktopCommands();
        JsonNode answer = setup(session, urls);
        JsonNode result = answer.path("result");
        assertTrue(result.path("isError").asBoolean(), answer.toString());
        assertEquals(commandsBefore, desktopCommands(), "the desktop ran nothing");
        McpHttp.call(session, 4, "release_batch_resources", "{}");
        JsonNode error = result.path("structuredContent").path("error");
        assertEquals("INVALID_PARAMETERS", error.path("code").asText(), error.toString());
        return error;
    }

    private static void allocate(String session, String worker) {
        JsonNode granted = McpSteps.readTree(McpHttp.call(session, 2, "allocate_single_resource", "{\"worker_id\": \""
                + worker + "\", \"resource_type\": \"vm_pyautogui\"}").asString());
        assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
    }

    private static JsonNode setup(String session, List<String> urls) {
        ObjectNode arguments = NODES.objectNode();
        ObjectNode step = arguments.putObject("resource_init_configs").putObject("vm_pyautogui").putArray("config").addObject();
        step.put("type", "download");
        ArrayNode list = step.putObject("parameters").putArray("files");
        for (int i = 0; i < urls.size(); i++) {
            list.addObject().put("url", urls.get(i)).put("path", "/tmp/envgrid-downloads/file-" + i);
        }
        return McpSteps.readTree(McpHttp.call(session, 3, "setup_batch_resources", arguments.toString()).asString());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + files.getAddress().getPort() + path;
    }

    private static int desktopCommands() {
        return TestCluster.get().desktops().stream().mapToInt(d -> d.executed().size()).sum();
    }
}
