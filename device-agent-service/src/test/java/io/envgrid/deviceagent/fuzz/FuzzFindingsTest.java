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
import io.envgrid.deviceagent.support.WorkerScratch;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
     * Was: Quarkus' own 413 with an empty body; chunked (one byte past the limit, no last chunk), no answer at all and the
     * connection closed after the 60 s read timeout. Sent raw: with the length declared, a client writing the whole body
     * meets the agent's close after its early answer as a broken pipe and never reads the answer.
     */
    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void aBodyOverTheSizeLimitIs413WithTheEnvelope(boolean chunked) throws IOException {
        long start = System.nanoTime();
        RawHttp.Response response = RawHttp.oversized(RestAssured.port, "/tools/device.list/call", "application/json",
                Map.of("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN), 1_048_576, chunked);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(413, response.status(), response.body());
        JsonNode error = json.readTree(response.body()).get("error");
        assertEquals("FILE_TOO_LARGE", error.get("code").asText(), response.body());
        assertTrue(error.get("message").isTextual() && error.get("timestamp").isTextual(), response.body());
        assertEquals(1_048_576, error.at("/details/max_bytes").asLong(), response.body());
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "answered after " + took);
    }

    /**
     * Was: Quarkus REST's multipart parser answered a chunked upload past the limit with a bare 413 and then ran the
     * route on the parts it had, which failed again on the written answer (a logged 500). Now 413 with the envelope,
     * promptly, and nothing written; the file part goes to disk as it arrives, never whole into memory.
     */
    @Test
    void aChunkedUploadOverTheSizeLimitIs413WithTheEnvelope() throws IOException {
        Path target = WorkerScratch.create(DIR).resolve("chunked-over-" + System.nanoTime());
        // one byte past the limit, no more: what comes after the agent's close would reset the connection, answer and all
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] head = uploadHead(target).getBytes(StandardCharsets.UTF_8);
        body.write(head);
        body.write(new byte[1_048_576 + 1 - head.length]);
        long start = System.nanoTime();
        String[] answer = postChunked("/setup/upload", UPLOAD_TYPE, body.toByteArray(), false);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals("413", answer[0], answer[1]);
        assertEquals("FILE_TOO_LARGE", json.readTree(answer[1]).at("/error/code").asText(), answer[1]);
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "answered after " + took);
        assertFalse(Files.exists(target));
    }

    /**
     * Was (review9): a chunked body was read before the desktop filter, so a caller with no credential at all could hold
     * a desktop's call places by trickling a body that never ends. Its head alone is refused now.
     */
    @Test
    void aChunkedBodyWithoutACredentialIsRefusedOnItsHeadAlone() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /execute HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush(); // the body never ends: before the fix no answer came (read timed out)
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 401", status);
        }
    }

    /** A chunked upload within the limit, now read before Quarkus REST (to disk), is still written whole. */
    @Test
    void aChunkedUploadWithinTheSizeLimitIsWritten() throws IOException {
        Path target = WorkerScratch.create(DIR).resolve("chunked-within-" + System.nanoTime());
        String body = uploadHead(target) + "payload\r\n--zz--\r\n";
        String[] answer = postChunked("/setup/upload", UPLOAD_TYPE, body.getBytes(StandardCharsets.UTF_8), true);
        assertEquals("200", answer[0], answer[1]);
        assertEquals("payload", Files.readString(target));
    }

    private static final String UPLOAD_TYPE = "multipart/form-data; boundary=zz";

    /** The multipart body of an upload to {@code target} up to the file's first byte. */
    private static String uploadHead(Path target) {
        return "--zz\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n" + target + "\r\n"
                + "--zz\r\nContent-Disposition: form-data; name=\"file_data\"; filename=\"x.txt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
    }

    /**
     * POSTs {@code body} chunked with the service token, ending it with the last chunk only when {@code complete}, and
     * returns the answer's status code and body (read to the close the request asks for).
     */
    private static String[] postChunked(String target, String contentType, byte[] body, boolean complete)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(90_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer "
                    + AgentCalls.SERVICE_TOKEN + "\r\nContent-Type: " + contentType
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < body.length; at += 65_536) {
                int size = Math.min(65_536, body.length - at);
                out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, size);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            if (complete) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            // read to the close: the agent closes the connection after a 413 rather than read on
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = reply.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no answer: " + reply);
            return new String[] {reply.substring(9, 12), reply.substring(end + 4)};
        }
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
