package io.envgrid.deviceagent.fuzz;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.WithXvfb;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One test per kind of fault {@link DeviceAgentFuzzTest} found, each fixed in the agent: a 5xx for the caller's
 * input, or a 4xx without the error envelope. Desktop calls carry the service token (the lock is not what is tested).
 */
@QuarkusTest
@WithXvfb
class FuzzFindingsTest {

    private static final Path DIR = Path.of("target", "fuzz-findings").toAbsolutePath();
    private final ObjectMapper json = new ObjectMapper();

    private static ValidatableResponse envelope(ValidatableResponse response, int status, String code) {
        return response.statusCode(status).body("error.code", equalTo(code)).body("error.message", notNullValue())
                .body("error.details", notNullValue()).body("error.timestamp", notNullValue());
    }

    /**
     * Was: Quarkus' own 413 with an empty body. Sent raw, with the length declared: a client writing the whole body
     * meets the agent's close after its early answer as a broken pipe and never reads the answer.
     */
    @Test
    void aBodyOverTheSizeLimitIs413WithTheEnvelope() throws IOException {
        RawHttp.Response response = RawHttp.oversized(RestAssured.port, "/tools/device.list/call", "application/json",
                Map.of("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN), 1_048_576, false);
        assertEquals(413, response.status(), response.body());
        JsonNode error = json.readTree(response.body()).get("error");
        assertEquals("FILE_TOO_LARGE", error.get("code").asText(), response.body());
        assertTrue(error.get("message").isTextual() && error.get("timestamp").isTextual(), response.body());
        assertEquals(1_048_576, error.at("/details/max_bytes").asLong(), response.body());
    }

    /** Was: 500 with a stack trace (IOException "Connection terminated parsing multipart request"). */
    @Test
    void aMultipartBodyCutBeforeItsClosingBoundaryIs400WithTheEnvelope() throws IOException {
        Path target = Files.createDirectories(DIR).resolve("cut-" + System.nanoTime());
        RawHttp.Response response = RawHttp.send(RestAssured.port, new RawHttp.Request("POST", "/setup/upload",
                List.of(Map.entry("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN),
                        Map.entry("Content-Type", "multipart/form-data; boundary=zz")),
                ("--zz\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n" + target + "\r\n")
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, response.status(), response.body());
        JsonNode error = json.readTree(response.body()).get("error");
        assertEquals("INVALID_PARAMETERS", error.get("code").asText());
        assertTrue(error.get("details").isObject() && error.get("timestamp").isTextual(), response.body());
        assertFalse(Files.exists(target));
    }

    /** Was: OSWorld's {@code {"error": "..."}} or {@code {"status","message"}} alone, without the envelope. */
    @Test
    void desktopRefusalsCarryTheEnvelopeBesideOsworldsOwnFields() {
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of()).post("/list_directory").then(), 400,
                "INVALID_PARAMETERS").body("error.message", equalTo("Missing 'path' parameter"));
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of()).post("/run_python").then(), 400,
                "INVALID_PARAMETERS").body("status", equalTo("error")).body("message", equalTo("Code not supplied!"));
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("script", "")).post("/run_bash_script").then(),
                400, "INVALID_PARAMETERS").body("output", equalTo("Script not supplied!")).body("returncode", equalTo(-1));
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(List.of(1)).post("/execute").then(), 400,
                "INVALID_PARAMETERS");
    }

    /** Was: 500 (DirectoryNotEmptyException, "File name too long", InvalidPathException), or an empty directory replaced. */
    @Test
    void anUploadToADirectoryOrToAPathNoFileCanHaveIs400AndWritesNothing() throws IOException {
        Path directory = Files.createDirectories(DIR.resolve("dir-" + System.nanoTime()));
        for (String path : List.of(directory.toString(), directory + "/", directory + "/a\u0000b",
                directory + "/" + "n".repeat(300), directory + "/x/../" + "n".repeat(300) + "/f")) {
            envelope(AgentCalls.asService().multiPart("file_path", path)
                    .multiPart("file_data", "x.txt", "payload".getBytes(StandardCharsets.UTF_8)).post("/setup/upload")
                    .then(), 400, "INVALID_PARAMETERS");
        }
        assertTrue(Files.isDirectory(directory), "the directory is still a directory");
        try (var left = Files.list(directory)) {
            assertEquals(0, left.count(), "nothing written into it");
        }
    }

    /** Was: a list like {@code [{}]} run as the program "" (500), and a program that is not there 500. */
    @Test
    void aCommandOfNonStringsOrOfAMissingProgramIs400AndRunsNothing() throws IOException {
        Path mark = Files.createDirectories(DIR).resolve("ran-" + System.nanoTime());
        for (String route : List.of("/execute", "/setup/execute", "/setup/launch")) {
            envelope(AgentCalls.asService().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of(Map.of(), "touch", mark.toString()))).post(route).then(), 400,
                    "INVALID_PARAMETERS").body("error.message", containsString("list of strings"));
            envelope(AgentCalls.asService().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("/no/such/program", mark.toString()))).post(route).then(), 400,
                    "INVALID_PARAMETERS").body("error.message", containsString("cannot run /no/such/program"));
            envelope(AgentCalls.asService().contentType(ContentType.JSON)
                    .body(Map.of("command", List.of("touch", mark + "\u0000x"))).post(route).then(), 400,
                    "INVALID_PARAMETERS");
        }
        assertFalse(Files.exists(mark));
    }

    /** Was: 500 (InvalidPathException from a NUL in the working directory). */
    @Test
    void aWorkingDirectoryNoPathCanNameIs400() {
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("script", "true", "working_dir", "a\u0000b"))
                .post("/run_bash_script").then(), 400, "INVALID_PARAMETERS");
        // found by the fuzz: an object read as "" (the agent's own directory, where no process can start) was a 500
        for (Object notAPath : new Object[] {Map.of(), "", java.util.List.of("/tmp"), 7}) {
            envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("script", "true", "working_dir", notAPath))
                    .post("/run_bash_script").then(), 400, "INVALID_PARAMETERS");
        }
    }

    /** Was: coerced — {"code": 5} ran the program "5", a timeout "x" became 100 s, shell "yes" became false. */
    @Test
    void desktopArgumentsOfTheWrongTypeAre400AndRunNothing() throws IOException {
        Path mark = Files.createDirectories(DIR).resolve("coerced-" + System.nanoTime());
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("code", 5)).post("/run_python").then(),
                400, "INVALID_PARAMETERS").body("message", equalTo("'code' must be a string"));
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("code", List.of("print(1)")))
                .post("/run_python").then(), 400, "INVALID_PARAMETERS");
        for (Object timeout : new Object[] {"x", "5", 1.5, true, Map.of()}) {
            envelope(AgentCalls.asService().contentType(ContentType.JSON)
                    .body(Map.of("script", "touch " + mark, "timeout", timeout)).post("/run_bash_script").then(), 400,
                    "INVALID_PARAMETERS").body("error.message", containsString("timeout"));
        }
        envelope(AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("script", 5)).post("/run_bash_script")
                .then(), 400, "INVALID_PARAMETERS");
        envelope(AgentCalls.asService().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("touch", mark.toString()), "shell", "yes")).post("/execute").then(), 400,
                "INVALID_PARAMETERS");
        assertFalse(Files.exists(mark));
    }
}
