package io.envgrid.deviceagent.record;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** device.json records on disk: create, update, search, delete, borrowing with history, concurrent borrows. */
@QuarkusTest
class DeviceRecordsTest {

    private static final Path DEVICES = Path.of("target/test-data/devices");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/tools/device.borrow/call")
    URI borrowUri;

    @Test
    void createWritesTheRecordWithLogsAndFiles() throws Exception {
        String id = AgentCalls.createDevice("android");
        Path dir = DEVICES.resolve("android").resolve(id);
        assertTrue(Files.isDirectory(dir.resolve("logs")));
        assertTrue(Files.isDirectory(dir.resolve("files")));
        JsonNode record = JSON.readTree(dir.resolve("device.json").toFile());
        assertEquals(id, record.path("device_id").asText());
        assertEquals("SKU-" + id, record.path("sku").asText());
        assertEquals("arm64", record.path("cpu_type").asText());
        assertEquals("available", record.path("status").asText());
        assertTrue(record.path("current_borrower").isNull());
        assertTrue(record.path("borrow_history").isArray());
        assertFalse(record.path("created_at").asText().isEmpty());
        try (var leftovers = Files.list(dir)) {
            assertTrue(leftovers.noneMatch(path -> path.getFileName().toString().endsWith(".tmp")), "temp files left");
        }
        call("device.create", Map.of("device_id", id, "name", "again", "type", "ios", "sku", "x", "cpu_type", "arm64"))
                .statusCode(409).body("error.code", equalTo("DEVICE_ALREADY_EXISTS"));
        call("device.create", Map.of("device_id", AgentCalls.uniqueId("x"), "name", "n", "type", "../up", "sku", "x",
                "cpu_type", "arm64")).statusCode(400).body("error.code", equalTo("INVALID_ID"));
    }

    @Test
    void updateMergesSpecsAndRefusesFieldsThatAreNotUpdatable() {
        String id = AgentCalls.createDevice("ios");
        call("device.update", Map.of("device_id", id, "updates", Map.of("name", "V2", "specs", Map.of("memory", "8GB"))))
                .statusCode(200).body("success", equalTo(true)).body("device_id", equalTo(id));
        call("device.info", Map.of("device_id", id)).statusCode(200)
                .body("name", equalTo("V2")).body("specs.memory", equalTo("8GB")).body("specs.model", equalTo("Model ios"));
        call("device.update", Map.of("device_id", id, "updates", Map.of("status", "borrowed")))
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        call("device.update", Map.of("device_id", id, "updates", Map.of("specs", "big")))
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        call("device.update", Map.of("device_id", "missing-device", "updates", Map.of("name", "x")))
                .statusCode(404).body("error.code", equalTo("DEVICE_NOT_FOUND"));
    }

    @Test
    void searchMatchesTextAndFilters() {
        String windows = AgentCalls.createDevice("windows");
        String android = AgentCalls.createDevice("android");
        call("device.search", Map.of("query", windows)).statusCode(200)
                .body("total", equalTo(1)).body("devices[0].device_id", equalTo(windows))
                .body("devices[0].sku", equalTo("SKU-" + windows));
        call("device.search", Map.of("query", "model windows", "filters", Map.of("type", "windows", "available", true)))
                .statusCode(200).body("devices.device_id", hasItem(windows)).body("devices.device_id", not(hasItem(android)));
        call("device.search", Map.of("filters", Map.of("status", "borrowed", "type", "windows")))
                .statusCode(200).body("devices.device_id", not(hasItem(windows)));
        call("device.search", Map.of("filters", Map.of("colour", "red"))).statusCode(400)
                .body("error.code", equalTo("INVALID_PARAMETERS"));
    }

    @Test
    void borrowAndReturnKeepTheHistory() {
        String id = AgentCalls.createDevice("android");
        call("device.borrow", Map.of("device_id", id, "borrower", "张三", "purpose", "功能测试",
                "expected_return_date", "2024-01-02T12:00:00Z")).statusCode(200)
                .body("success", equalTo(true)).body("borrower", equalTo("张三")).body("purpose", equalTo("功能测试"))
                .body("borrow_date", notNullValue()).body("expected_return_date", equalTo("2024-01-02T12:00:00Z"));
        call("device.info", Map.of("device_id", id)).body("status", equalTo("borrowed"))
                .body("current_borrower", equalTo("张三"));
        call("device.delete", Map.of("device_id", id)).statusCode(409).body("error.code", equalTo("DEVICE_ALREADY_BORROWED"));
        call("device.return", Map.of("device_id", id, "returner", "张三")).statusCode(200)
                .body("success", equalTo(true)).body("borrow_duration", equalTo("0h 0m")).body("return_date", notNullValue());
        call("device.return", Map.of("device_id", id, "returner", "张三")).statusCode(409)
                .body("error.code", equalTo("DEVICE_NOT_BORROWED"));
        call("device.status", Map.of("device_id", id)).statusCode(200)
                .body("status", equalTo("available")).body("current_borrower", nullValue())
                .body("borrow_history", hasSize(1)).body("borrow_history[0].borrower", equalTo("张三"))
                .body("borrow_history[0].return_date", notNullValue());
        call("device.borrow", Map.of("device_id", id, "borrower", "李四", "purpose", "p",
                "expected_return_date", "tomorrow")).statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        call("device.delete", Map.of("device_id", id)).statusCode(200).body("success", equalTo(true));
        assertFalse(Files.exists(DEVICES.resolve("android").resolve(id)));
        call("device.info", Map.of("device_id", id)).statusCode(404);
    }

    @Test
    void ofOneHundredSimultaneousBorrowsExactlyOneWins() throws Exception {
        String id = AgentCalls.createDevice("android");
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 100).mapToObj(i -> client.sendAsync(
                HttpRequest.newBuilder(borrowUri)
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"device_id\":\"" + id + "\",\"borrower\":\"worker-" + i
                                + "\",\"purpose\":\"race\",\"expected_return_date\":\"2030-01-01T00:00:00Z\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
        assertEquals(1, responses.stream().filter(r -> r.statusCode() == 200).count());
        List<HttpResponse<String>> refused = responses.stream().filter(r -> r.statusCode() == 409).toList();
        assertEquals(99, refused.size());
        assertTrue(refused.stream().allMatch(r -> r.body().contains("DEVICE_ALREADY_BORROWED")));
        String winner = JSON.readTree(responses.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow().body())
                .path("borrower").asText();
        call("device.info", Map.of("device_id", id)).body("current_borrower", equalTo(winner))
                .body("borrow_history", hasSize(1));
    }
}
