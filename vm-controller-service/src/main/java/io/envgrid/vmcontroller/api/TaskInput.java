package io.envgrid.vmcontroller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.task.Parameters;
import io.envgrid.vmcontroller.task.SetupStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OSWorld task's {@code config} list (the public task JSON format), checked whole before anything runs: an unknown
 * step type is {@code 400 UNSUPPORTED_TASK_FEATURE} naming it, a malformed parameter {@code 400 INVALID_PARAMETERS}
 * naming it ({@link Parameters}: {@code details} carry {@code field}, {@code index}, {@code parameter}). Parameters a
 * step does not take are refused, as Python refuses an unknown keyword argument. The evaluator block:
 * {@link EvaluatorInput}.
 */
final class TaskInput {

    /** The longest {@code sleep} step: set-up waits for programs, not for a caller wanting to hold a thread. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(60);

    /** The most steps one {@code config} (or {@code postconfig}) list may have; OSWorld's tasks use a handful. */
    static final int MAX_STEPS = 100;

    /** The most all {@code sleep} steps of one list may wait together. */
    static final Duration MAX_TOTAL_SLEEP = Duration.ofSeconds(120);

    /** Step types of OSWorld's setup.py that need something the in-VM protocol cannot give. */
    private static final Map<String, String> NOT_RUN_STEPS = Map.of(
            "upload_file", "reads a file on the controller's host (local_path); use download or a command",
            "chrome_open_tabs", "needs Chrome's remote debugging port", "chrome_close_tabs",
            "needs Chrome's remote debugging port", "googledrive", "needs Google Drive credentials", "login",
            "needs a browser session", "update_browse_history", "needs Chrome's profile", "act",
            "is not implemented by OSWorld either", "replay", "is not implemented by OSWorld either", "tidy_desktop",
            "is not implemented by OSWorld either");

    private static final String SUPPORTED = "launch, execute, command, open, change_wallpaper, download, sleep, "
            + "activate_window, close_window";

    private TaskInput() {
    }

    /** The {@code config} list as steps; {@code null} or missing is no step. */
    static List<SetupStep> steps(JsonNode config, String field) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return List.of();
        }
        if (!config.isArray()) {
            throw invalid(field + " must be a list of {type, parameters}", field, -1);
        }
        if (config.size() > MAX_STEPS) {
            throw invalid(field + " may have up to " + MAX_STEPS + " steps; it has " + config.size(), field, -1);
        }
        List<SetupStep> steps = new ArrayList<>();
        Duration slept = Duration.ZERO;
        for (int i = 0; i < config.size(); i++) {
            SetupStep step = step(config.get(i), field, i);
            if (step instanceof SetupStep.Sleep sleep) {
                slept = slept.plus(sleep.duration());
                if (slept.compareTo(MAX_TOTAL_SLEEP) > 0) {
                    throw invalid(field + "'s sleep steps may wait up to " + MAX_TOTAL_SLEEP.toSeconds()
                            + " s together; step " + i + " goes past that", field, i);
                }
            }
            steps.add(step);
        }
        return steps;
    }

    private static SetupStep step(JsonNode node, String field, int index) {
        if (!node.isObject() || !node.path("type").isTextual()) {
            throw invalid(field + "[" + index + "] must be {type, parameters}", field, index);
        }
        String type = node.get("type").asText();
        Parameters p = Parameters.of(node.get("parameters"), field + "[" + index + "].parameters", field, index);
        return switch (type) {
            case "launch" -> {
                DesktopInput.Command command = command(p.allow("command", "shell"));
                yield new SetupStep.Launch(type, command.command(), command.shell());
            }
            case "execute", "command" -> {
                // stdout/stderr name files OSWorld writes the output to on its own host; the report carries it
                p.allow("command", "shell", "stdout", "stderr", "until");
                p.optionalString("stdout");
                p.optionalString("stderr");
                DesktopInput.Command command = command(p);
                yield new SetupStep.Execute(type, command.command(), command.shell(), until(p));
            }
            case "open", "change_wallpaper" -> {
                String path = path(p.allow("path"), "path");
                yield type.equals("open") ? new SetupStep.Open(type, path) : new SetupStep.ChangeWallpaper(type, path);
            }
            case "download" -> new SetupStep.Download(type, files(p.allow("files")));
            case "sleep" -> {
                double seconds = p.allow("seconds").number("seconds", 0, MAX_SLEEP.toSeconds());
                yield new SetupStep.Sleep(type, Duration.ofMillis(Math.round(seconds * 1000)));
            }
            case "activate_window", "close_window" -> {
                p.allow("window_name", "strict", "by_class");
                yield new SetupStep.Window(type, p.string("window_name"), p.flag("strict"), p.flag("by_class"));
            }
            default -> throw p.unsupported("type", "config step type '" + type + "' "
                    + NOT_RUN_STEPS.getOrDefault(type, "is not supported") + " (supported: " + SUPPORTED + ")", type);
        };
    }

    /** OSWorld's {@code until}: {@code {returncode?, stdout?, stderr?}}, at least one; absent or empty: run once. */
    private static SetupStep.Until until(Parameters step) {
        if (!step.has("until")) {
            return null;
        }
        Parameters until = step.object("until").allow("returncode", "stdout", "stderr");
        SetupStep.Until parsed = new SetupStep.Until(until.optionalInt("returncode"), until.optionalString("stdout"),
                until.optionalString("stderr"));
        // OSWorld: an empty until is no condition, the command runs once
        return parsed.returncode() == null && parsed.stdout() == null && parsed.stderr() == null ? null : parsed;
    }

    /** {@code command} and {@code shell} as {@code /execute} takes them ({@link DesktopInput#command}). */
    static DesktopInput.Command command(Parameters p) {
        boolean shell = p.flag("shell");
        try {
            return DesktopInput.command(new Requests.Command(p.raw("command"), shell));
        } catch (ApiException e) {
            throw p.invalid("command", "is not a command: " + e.getMessage());
        }
    }

    /** A path on the desktop ({@link DesktopInput#path}). */
    static String path(Parameters p, String name) {
        JsonNode value = p.raw(name);
        try {
            return DesktopInput.path(name, value != null && value.isTextual() ? value.asText() : null);
        } catch (ApiException e) {
            throw p.invalid(name, "is not a path: " + e.getMessage());
        }
    }

    private static List<SetupStep.FileToPlace> files(Parameters p) {
        JsonNode files = p.list("files");
        if (files.isEmpty()) {
            throw p.invalid("files", "must be a non-empty list of {url, path}");
        }
        List<SetupStep.FileToPlace> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Parameters f = p.nested(files.get(i), p.where() + ".files[" + i + "]").allow("url", "path", "content");
            String url = f.string("url");
            String path = path(f, "path");
            JsonNode content = f.raw("content");
            if (content == null || !content.isTextual()) {
                // the controller does not reach the internet: the gateway fetches under its fetch rules
                throw f.unsupported("content", f.where() + ": a download's file must come with its fetched content "
                        + "(base64); send the task through the gateway, which fetches url under its fetch rules",
                        "download");
            }
            try {
                out.add(new SetupStep.FileToPlace(url, path, Base64.getDecoder().decode(content.asText())));
            } catch (IllegalArgumentException e) {
                throw f.invalid("content", "is not base64");
            }
        }
        return out;
    }

    /** A refusal of the task's shape (not of one parameter): {@code details} {@code {field, index?}}. */
    static ApiException invalid(String message, String field, int index) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        if (index >= 0) {
            details.put("index", index);
        }
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS, message, details);
    }
}
