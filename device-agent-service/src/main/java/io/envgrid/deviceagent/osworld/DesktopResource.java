package io.envgrid.deviceagent.osworld;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.exec.WorkerFiles;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.x11.X11Exception;
import io.envgrid.deviceagent.x11.XInput;
import io.envgrid.errors.ErrorEnvelope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OSWorld's in-VM server (desktop_env/server/main.py) for each desktop the agent serves (the one attached display,
 * or each hosted desktop on its own port: {@link DesktopRouting}), at the root of the port, with OSWorld's routes, request fields and answer shapes, so OSWorld's own
 * controller and envgrid's vm-controller drive this host like an OSWorld VM.
 */
@Path("/")
@Tag(name = "desktop (OSWorld protocol)")
public class DesktopResource {

    private final DesktopRouting routing;
    private final MeterRegistry meters;

    public DesktopResource(DesktopRouting routing, MeterRegistry meters) {
        this.routing = routing;
        this.meters = meters;
    }

    @GET
    @Path("screenshot")
    @Produces("image/png")
    public byte[] screenshot() {
        return timed("screenshot", desktop -> desktop.screen().png());
    }

    @GET
    @Path("accessibility")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> accessibility() {
        return timed("accessibility", desktop -> desktop.accessibility().read());
    }

    @POST
    @Path("screen_size")
    @Produces(MediaType.APPLICATION_JSON)
    public XInput.ScreenSize screenSize() {
        return timed("screen_size", desktop -> desktop.input().screenSize());
    }

    @GET
    @Path("cursor_position")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Integer> cursorPosition() {
        return timed("cursor_position", desktop -> {
            XInput.CursorPosition at = desktop.input().cursor();
            return List.of(at.x(), at.y());
        });
    }

    @GET
    @Path("platform")
    @Produces(MediaType.TEXT_PLAIN)
    public String platform() {
        return timed("platform", desktop -> "Linux"); // nothing to act on, but locked as every desktop route
    }

    @POST
    @Path("execute")
    @APIResponse(responseCode = "408", description = "COMMAND_EXECUTION_FAILED: the script or command ran past its own time limit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ExecuteAnswer execute(JsonNode body) {
        return timedWithBody("execute", body, (desktop, request) -> desktop.commands().execute(request));
    }

    @POST
    @Path("setup/execute")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ExecuteAnswer setupExecute(JsonNode body) {
        return timedWithBody("setup_execute", body, (desktop, request) -> desktop.commands().execute(request));
    }

    @POST
    @Path("setup/launch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public String launch(JsonNode body) {
        return timedWithBody("launch", body, (desktop, request) -> desktop.commands().launch(request));
    }

    @POST
    @Path("run_python")
    @APIResponse(responseCode = "408", description = "COMMAND_EXECUTION_FAILED: the script or command ran past its own time limit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> runPython(JsonNode body) {
        return timedWithBody("run_python", body, (desktop, request) -> {
            String code = optionalText(request, "code", "'code' must be a string");
            if (code == null || code.isEmpty()) {
                throw new DesktopException(400, "Code not supplied!");
            }
            return desktop.commands().runPython(code);
        });
    }

    @POST
    @Path("run_bash_script")
    @APIResponse(responseCode = "408", description = "COMMAND_EXECUTION_FAILED: the script or command ran past its own time limit")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> runBashScript(JsonNode body) {
        return timedWithBody("run_bash_script", body, (desktop, request) -> {
            String script = optionalText(request, "script", "'script' must be a string");
            if (script == null || script.isEmpty()) {
                Map<String, Object> refusal = new LinkedHashMap<>();
                refusal.put("status", "error");
                refusal.put("output", "Script not supplied!");
                refusal.put("error", "");
                refusal.put("returncode", -1);
                throw new DesktopAnswer(400, refusal);
            }
            JsonNode timeoutField = request.path("timeout");
            if (!timeoutField.isMissingNode() && !timeoutField.isNull()
                    && !(timeoutField.isIntegralNumber() && timeoutField.canConvertToInt())) {
                throw new DesktopException(400, "'timeout' must be a whole number of seconds");
            }
            int timeout = timeoutField.asInt(100);
            if (timeout < 1 || timeout > 3600) {
                throw new DesktopException(400, "timeout must be from 1 to 3600 seconds");
            }
            String workingDir = optionalText(request, "working_dir", "working_dir must be a string");
            return desktop.commands().runBashScript(script, timeout, workingDir);
        });
    }

    @POST
    @Path("list_directory")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> listDirectory(JsonNode body) {
        return timedWithBody("list_directory", body, (desktop, request) -> {
            if (!request.hasNonNull("path")) {
                throw new DesktopAnswer(400, Map.of("error", "Missing 'path' parameter"));
            }
            java.nio.file.Path directory = desktop.commands().path(request.get("path").asText(), "path").toAbsolutePath();
            // tested and listed as the worker's user: "not a directory" also covers one that user may not reach
            WorkerFiles.Listing listing = desktop.files().list(directory, DirectoryTree.MAX_ENTRIES);
            if (listing == null) {
                throw new DesktopAnswer(400, Map.of("error", "The provided path is not a directory"));
            }
            String name = directory.getFileName() == null ? "" : directory.getFileName().toString();
            return Map.of("directory_tree", DirectoryTree.of(name, listing));
        });
    }

    @POST
    @Path("file")
    @APIResponse(responseCode = "404", description = "FILE_NOT_FOUND: the worker's user sees no such file")
    @APIResponse(responseCode = "413", description = "HTTP_ERROR: the file is over the size the agent sends")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response file(@RestForm("file_path") String filePath) {
        return timed("file", desktop -> {
            if (filePath == null || filePath.isBlank()) {
                throw new DesktopAnswer(400, Map.of("error", "file_path is required"));
            }
            java.nio.file.Path file = desktop.commands().path(filePath, "file_path");
            // tested and read with the worker's rights, not the agent's (its /proc/self/environ holds the service
            // token); whatever that user cannot read is "not found", so that no answer tells what exists where it
            // may not look (another desktop's home)
            WorkerFiles.Read read = desktop.files().read(file);
            if (read instanceof WorkerFiles.Read.TooLarge) {
                throw new DesktopAnswer(413, Map.of("error", "File too large: over "
                        + HostProcesses.MAX_CAPTURED_BYTES + " bytes"));
            }
            if (read instanceof WorkerFiles.Read.Unreadable) {
                throw new DesktopAnswer(404, Map.of("error", "File not found"));
            }
            byte[] content = ((WorkerFiles.Read.Content) read).bytes();
            String name = file.getFileName() == null ? "" : file.getFileName().toString();
            return Response.ok(content).header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
        });
    }

    @POST
    @Path("setup/upload")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.TEXT_PLAIN)
    public String upload(@RestForm("file_path") String filePath, @RestForm("file_data") FileUpload data) {
        return timed("upload", desktop -> {
            if (filePath == null || filePath.isBlank() || data == null) {
                throw new DesktopAnswer(400, Map.of("error", "file_path and file_data are required"));
            }
            java.nio.file.Path target = desktop.commands().path(filePath, "file_path");
            try {
                // tested and written with the worker's rights, not the agent's (no test by the agent tells what exists
                // where the worker may not look); a directory, a too long name, a parent that is a file, a place not
                // writable: a fault of the request, not of the host
                String refused = desktop.files().write(data.uploadedFile(), target);
                if (refused != null) {
                    throw new DesktopAnswer(400, Map.of("error", "Failed to upload file: cannot write " + filePath + ": "
                            + refused));
                }
                return "File Uploaded: " + Files.size(data.uploadedFile()) + " bytes";
            } catch (IOException e) {
                throw new DesktopAnswer(500, Map.of("error", "Failed to upload file: " + e.getMessage()));
            }
        });
    }

    @POST
    @Path("start_recording")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> startRecording() {
        return timed("start_recording", desktop -> {
            desktop.recorder().start();
            return Map.of("status", "success", "message", "Started recording successfully.");
        });
    }

    @POST
    @Path("end_recording")
    @Produces("video/mp4")
    public Response endRecording() {
        return timed("end_recording", desktop -> Response.ok(desktop.recorder().stop().toFile())
                .header("Content-Disposition", "attachment; filename=\"recording.mp4\"").build());
    }

    @ServerExceptionMapper
    public Response failed(DesktopException e) {
        return refusal(e);
    }

    /** A {@link DesktopException} as answered: OSWorld's error fields with the envelope. */
    static Response refusal(DesktopException e) {
        Map<String, Object> osworld = new LinkedHashMap<>();
        osworld.put("status", "error");
        osworld.put("message", e.getMessage());
        Map<String, Object> body = withEnvelope(e.status(), osworld);
        if (e.code() != null) {
            body.put("error", ErrorEnvelope.of(e.code(), e.getMessage(), Map.of()).error());
        }
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    /** No display is 503, a failed X tool 500, both in OSWorld's error shape. */
    @ServerExceptionMapper
    public Response displayFailed(X11Exception e) {
        // no display, or none answering: the desktop is unavailable; an X error or an unsupported call is our fault
        int status = e instanceof X11Exception.NoDisplay || e instanceof X11Exception.Unreachable ? 503 : 500;
        return refusal(new DesktopException(status, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response answered(DesktopAnswer e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(withEnvelope(e.status(), e.body()))
                .build();
    }

    /**
     * OSWorld's error answer with envgrid's envelope in {@code error}: OSWorld's own fields ({@code status},
     * {@code message}, {@code output}, {@code returncode}) stay where OSWorld's clients read them; where OSWorld put
     * a string in {@code error} it becomes the envelope's message (OSWorld's controllers only log an error answer's
     * body, so no client reads that string).
     */
    static Map<String, Object> withEnvelope(int status, Map<String, Object> osworld) {
        Map<String, Object> body = new LinkedHashMap<>(osworld);
        Object osworldError = body.remove("error");
        String message = osworldError instanceof String text && !text.isBlank() ? text
                : body.get("message") instanceof String text && !text.isBlank() ? text
                : body.get("output") instanceof String text && !text.isBlank() ? text
                : "desktop call failed with HTTP " + status;
        String code = switch (status) {
            case 400 -> ErrorCode.INVALID_PARAMETERS;
            case 404 -> ErrorCode.FILE_NOT_FOUND;
            case 408 -> ErrorCode.COMMAND_EXECUTION_FAILED;
            case 503 -> ErrorCode.DESKTOP_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.COMMAND_EXECUTION_FAILED : ErrorCode.HTTP_ERROR;
        };
        body.put("error", ErrorEnvelope.of(code, message, Map.of()).error());
        return body;
    }

    /**
     * {@link #timed} for a route whose body is a JSON object: {@code call} gets the desktop and the body, which is
     * checked there (400 when it is no object), so a bad body is answered only after the lease check, as every route.
     */
    private <T> T timedWithBody(String route, JsonNode body, BiFunction<Desktop, JsonNode, T> call) {
        return timed(route, desktop -> {
            if (body == null || !body.isObject()) {
                throw new DesktopException(400, "the body must be a JSON object");
            }
            return call.apply(desktop, body);
        });
    }

    /**
     * The string in {@code field} of {@code request}, or null when the field is absent or JSON null.
     *
     * @throws DesktopException 400 with {@code wrongType} when the field holds anything but a string: no coercion,
     *                          as {@code {"code": 5}} is a caller's mistake, not the program "5"
     */
    private static String optionalText(JsonNode request, String field, String wrongType) {
        JsonNode value = request.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new DesktopException(400, wrongType);
        }
        return value.asText();
    }

    /** Acts on the request's desktop through {@link DesktopRouting#act} (lease checked, gate held), timed. */
    private <T> T timed(String route, Function<Desktop, T> call) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "ok";
        try {
            return routing.act(call);
        } catch (RuntimeException e) {
            outcome = "error";
            throw e;
        } finally {
            sample.stop(Timer.builder("envgrid.desktop.calls").description("OSWorld-protocol calls on the host's desktop")
                    .tags("route", route, "outcome", outcome).register(meters));
        }
    }
}
