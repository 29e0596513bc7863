package io.envgrid.deviceagent.event;

import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.EventListener;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The device-management WebSocket messages, received by real WebSocket clients on {@code /ws}. */
@QuarkusTest
class EventsTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void everyListenerGetsBorrowReturnAndStatusEvents() {
        try (EventListener first = EventListener.open(ws); EventListener second = EventListener.open(ws)) {
            String id = AgentCalls.createDevice("android");
            first.await("system_event", d -> d.path("event").asText().equals("device_created")
                    && d.path("device_id").asText().equals(id));
            call("device.borrow", Map.of("device_id", id, "borrower", "张三", "purpose", "功能测试",
                    "expected_return_date", "2024-01-02T12:00:00Z")).statusCode(200);
            for (EventListener listener : new EventListener[] {first, second}) {
                JsonNode borrowed = listener.await("device_borrowed", d -> d.path("device_id").asText().equals(id));
                assertEquals("张三", borrowed.path("data").path("borrower").asText());
                assertEquals("功能测试", borrowed.path("data").path("purpose").asText());
                assertEquals("2024-01-02T12:00:00Z", borrowed.path("data").path("expected_return_date").asText());
                assertFalse(borrowed.path("data").path("timestamp").asText().isEmpty());
                listener.await("device_status_update", d -> d.path("device_id").asText().equals(id)
                        && d.path("status").asText().equals("borrowed"));
            }
            call("device.return", Map.of("device_id", id, "returner", "张三")).statusCode(200);
            JsonNode returned = second.await("device_returned", d -> d.path("device_id").asText().equals(id));
            assertEquals("0h 0m", returned.path("data").path("borrow_duration").asText());
        }
    }

    @Test
    void failuresAreReportedAsErrorEvents() {
        try (EventListener listener = EventListener.open(ws)) {
            String ghost = AgentCalls.createDevice("android");
            call("device.connect", Map.of("device_id", ghost)).statusCode(503);
            listener.await("error", d -> d.path("code").asText().equals("DEVICE_CONNECTION_FAILED")
                    && d.path("device_id").asText().equals(ghost));
        }
    }

    @Test
    void periodicDiscoveryReportsDevicesComingAndGoing() throws Exception {
        Path attached = Path.of("target/adb-standin-storage/emulator-5556.attached");
        Files.createDirectories(attached.getParent());
        try (EventListener listener = EventListener.open(ws)) {
            Files.writeString(attached, "");
            listener.await("system_event", d -> d.path("event").asText().equals("device_discovered")
                    && d.path("device_id").asText().equals("emulator-5556"));
            call("device.list", Map.of()).body("devices.find { it.id == 'emulator-5556' }.status", equalTo("online"));
            Files.delete(attached);
            listener.await("system_event", d -> d.path("event").asText().equals("device_lost")
                    && d.path("device_id").asText().equals("emulator-5556"));
            listener.await("device_status_update", d -> d.path("device_id").asText().equals("emulator-5556")
                    && d.path("status").asText().equals("offline"));
        } finally {
            Files.deleteIfExists(attached);
        }
    }

    @Test
    void restartRediscoversDevicesAndSaysSo() {
        try (EventListener listener = EventListener.open(ws)) {
            call("system.restart", Map.of()).statusCode(200)
                    .body("success", equalTo(true))
                    .body("message", equalTo("System restarting in 0 seconds"));
            listener.await("system_event", d -> d.path("event").asText().equals("system_restarted"));
            listener.await("system_event", d -> d.path("event").asText().equals("device_discovered")
                    && d.path("device_id").asText().equals("emulator-5554"));
            listener.await("device_status_update", d -> d.path("device_id").asText().equals("test-host")
                    && d.path("status").asText().equals("online"));
        }
        call("system.info", Map.of()).statusCode(200)
                .body("system.version", equalTo("1.0.0"))
                .body("system.uptime", matchesPattern("\\d+h \\d+m \\d+s"))
                .body("system.memory_usage", endsWith("%"));
    }
}
