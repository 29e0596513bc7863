package io.envgrid.vmcontroller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.action.ActionResult;
import io.envgrid.vmcontroller.action.ActionRunner;
import io.envgrid.vmcontroller.action.Computer13Action;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.evaluation.EvaluationReport;
import io.envgrid.vmcontroller.evaluation.Evaluator;
import io.envgrid.vmcontroller.evaluation.EvaluatorSpec;
import io.envgrid.vmcontroller.task.SetupReport;
import io.envgrid.vmcontroller.task.SetupStep;
import io.envgrid.vmcontroller.task.StepOutcome;
import io.envgrid.vmcontroller.task.TaskSetup;
import io.envgrid.vmcontroller.observation.Observation;
import io.envgrid.vmcontroller.observation.ObservationService;
import io.envgrid.vmcontroller.session.ControllerSession;
import io.envgrid.vmcontroller.session.SessionService;
import io.envgrid.vmcontroller.vm.CursorPosition;
import io.envgrid.vmcontroller.vm.Deadline;
import io.envgrid.vmcontroller.vm.ExecResult;
import io.envgrid.vmcontroller.vm.OsWorldClient;
import io.envgrid.vmcontroller.vm.ScreenSize;
import io.envgrid.vmcontroller.vm.VmAddress;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Everything done to the VM of a session. Each request carries the lease token
 * ({@code X-Envgrid-Lease-Token}) and is checked first against the session and the allocator's
 * lease record ({@link SessionService#authorize}); a refused request never reaches the VM. The
 * token is forwarded to the VM on every call.
 */
@Path("/sessions/{worker_id}/{resource_id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DesktopResource {

    /** The fencing token of the lease the caller acts under, as the allocator granted it. */
    public static final String FENCING_HEADER = "X-Fencing-Token";

    private final SessionService sessions;
    private final OsWorldClient vms;
    private final ObservationService observations;
    private final ActionRunner actions;
    private final TaskSetup taskSetup;
    private final Evaluator evaluator;

    @PathParam("worker_id")
    String workerId;

    @PathParam("resource_id")
    String resourceId;

    @HeaderParam(FENCING_HEADER)
    String fencingToken;

    @HeaderParam(SessionService.LEASE_TOKEN_HEADER)
    String leaseToken;

    public DesktopResource(SessionService sessions, OsWorldClient vms, ObservationService observations,
            ActionRunner actions, TaskSetup taskSetup, Evaluator evaluator) {
        this.taskSetup = taskSetup;
        this.evaluator = evaluator;
        this.sessions = sessions;
        this.vms = vms;
        this.observations = observations;
        this.actions = actions;
    }

    @GET
    @Path("/observation")
    public Observation observation() {
        return observations.observe(vm());
    }

    @GET
    @Path("/screenshot")
    public Responses.Screenshot screenshot() {
        return new Responses.Screenshot(observations.screenshot(vm()));
    }

    @GET
    @Path("/accessibility")
    public Responses.AccessibilityTree accessibility() {
        return new Responses.AccessibilityTree(vms.accessibilityTree(vm()));
    }

    @GET
    @Path("/screen_size")
    public ScreenSize screenSize() {
        return vms.screenSize(vm());
    }

    @GET
    @Path("/cursor_position")
    public CursorPosition cursorPosition() {
        return vms.cursorPosition(vm());
    }

    @GET
    @Path("/platform")
    public Responses.Platform platform() {
        return new Responses.Platform(vms.platform(vm()));
    }

    @POST
    @Path("/actions/pyautogui")
    @APIResponse(responseCode = "400", description = "INVALID_ACTION: an action that cannot be run (outside the "
            + "subset, bad arguments, or refused by the desktop)")
    public ActionResult pyautogui(Requests.PyautoguiAction request) {
        ActionRunner.checkPyautogui(request == null ? null : request.code());
        ControllerSession session = session();
        ActionResult result = actions.runPyautogui(session.vm(leaseToken), request.code());
        sessions.recordAction(session, ActionRunner.isFail(result));
        return result;
    }

    @POST
    @Path("/actions/computer_13")
    @APIResponse(responseCode = "400", description = "INVALID_ACTION: an action that cannot be run (outside the "
            + "subset, bad arguments, or refused by the desktop)")
    public ActionResult computer13(JsonNode action) {
        Computer13Action parsed = actions.parseComputer13(action);
        ControllerSession session = session();
        ActionResult result = actions.runComputer13(session.vm(leaseToken), parsed);
        sessions.recordAction(session, ActionRunner.isFail(result));
        return result;
    }

    @POST
    @Path("/commands")
    @APIResponse(responseCode = "408", description = "COMMAND_TIMEOUT: the command ran past its own time limit on the "
            + "desktop (the desktop's 408, passed on)")
    public ExecResult command(Requests.Command request) {
        DesktopInput.Command command = DesktopInput.command(request);
        return vms.execute(vm(), command.command(), command.shell());
    }

    @POST
    @Path("/launch")
    public Responses.Done launch(Requests.Command request) {
        DesktopInput.Command command = DesktopInput.command(request);
        return new Responses.Done("success", vms.launch(vm(), command.command(), command.shell()));
    }

    @POST
    @Path("/python")
    @APIResponse(responseCode = "408", description = "COMMAND_TIMEOUT: the command ran past its own time limit on the "
            + "desktop (the desktop's 408, passed on)")
    public JsonNode python(Requests.PythonScript request) {
        String code = DesktopInput.python(request == null ? null : request.code());
        return vms.runPython(vm(), code);
    }

    @POST
    @Path("/bash")
    @APIResponse(responseCode = "408", description = "COMMAND_TIMEOUT: the command ran past its own time limit on the "
            + "desktop (the desktop's 408, passed on)")
    public JsonNode bash(Requests.BashScript request) {
        if (request == null || request.script() == null || request.script().isBlank()) {
            throw ApiException.badRequest("script is required");
        }
        int timeout = request.timeout() == null ? 30 : request.timeout();
        if (timeout < 1 || timeout > 3600) {
            throw ApiException.badRequest("timeout must be 1..3600 seconds");
        }
        String workingDir = request.workingDir() == null ? null : DesktopInput.path("working_dir", request.workingDir());
        return vms.runBashScript(vm(), request.script(), timeout, workingDir);
    }

    @POST
    @Path("/files/list")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the desktop has no such file or directory (its 404, "
            + "passed on)")
    public JsonNode listDirectory(Requests.PathOnVm request) {
        String path = DesktopInput.path("path", request == null ? null : request.path());
        return vms.listDirectory(vm(), path);
    }

    @POST
    @Path("/files/read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the desktop has no such file or directory (its 404, "
            + "passed on)")
    public Responses.FileContent readFile(Requests.PathOnVm request) {
        String path = DesktopInput.path("path", request == null ? null : request.path());
        byte[] content = vms.file(vm(), path);
        return new Responses.FileContent(path, Base64.getEncoder().encodeToString(content), content.length);
    }

    @POST
    @Path("/files/write")
    public Responses.Done writeFile(Requests.Upload request) {
        if (request == null || request.content() == null) {
            throw ApiException.badRequest("path and content (base64) are required");
        }
        DesktopInput.path("path", request.path());
        byte[] content;
        try {
            content = Base64.getDecoder().decode(request.content());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("content is not base64");
        }
        vms.upload(vm(), request.path(), content);
        return new Responses.Done("success", "wrote " + content.length + " bytes to " + request.path());
    }

    @POST
    @Path("/recording/start")
    @Consumes(MediaType.WILDCARD)
    public Responses.Done startRecording() {
        vms.startRecording(vm());
        return new Responses.Done("success", "recording started");
    }

    /** The video as the VM made it (MP4), not base64: recordings are large. */
    @POST
    @Path("/recording/end")
    @Consumes(MediaType.WILDCARD)
    @Produces("video/mp4")
    public byte[] endRecording() {
        return vms.endRecording(vm());
    }

    /**
     * Runs an OSWorld task's {@code config} steps in order (the body is the task JSON, or just {@code {"config"}}); every
     * step is checked before the first runs. {@code check_only} checks and runs nothing.
     */
    @POST
    @Path("/task/setup")
    @APIResponse(responseCode = "400", description = "UNSUPPORTED_TASK_FEATURE: a config step, getter or metric "
            + "envgrid does not run (named in details)")
    public SetupReport setUpTask(JsonNode task, @QueryParam("check_only") boolean checkOnly) {
        List<SetupStep> steps = TaskInput.steps(object(task).get("config"), "config");
        vm(); // authorizes; check_only answers only the lease holder too
        if (checkOnly) {
            return new SetupReport("checked", java.util.stream.IntStream.range(0, steps.size()).mapToObj(i ->
                    new StepOutcome(i, steps.get(i).type(), StepOutcome.NOT_RUN, null, null, null, 0)).toList());
        }
        return taskSetup.run(this::vm, steps, Deadline.NONE); // bounded by its steps' own limits (100, 120 s of sleeps)
    }

    /**
     * Scores the desktop with an OSWorld {@code evaluator} block (the body is the task JSON, or {@code {"evaluator"}}),
     * knowing whether the session's last action (pyautogui or computer_13) was {@code FAIL}.
     */
    @POST
    @Path("/task/evaluate")
    @APIResponse(responseCode = "400", description = "UNSUPPORTED_TASK_FEATURE: a config step, getter or metric "
            + "envgrid does not run (named in details)")
    public EvaluationReport evaluateTask(JsonNode task) {
        EvaluatorSpec spec = EvaluatorInput.evaluator(object(task).get("evaluator"));
        ControllerSession session = session(); // a caller without the lease learns that before any step runs
        return evaluator.evaluate(this::vm, spec, session.gaveUp());
    }

    private static JsonNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object: an OSWorld task, or {config} / {evaluator}");
        }
        return body;
    }

    private VmAddress vm() {
        return session().vm(leaseToken);
    }

    private ControllerSession session() {
        return sessions.authorize(workerId, resourceId, leaseToken, fencing());
    }

    private Optional<Long> fencing() {
        if (fencingToken == null || fencingToken.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(fencingToken.trim()));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(FENCING_HEADER + " must be an integer");
        }
    }
}
