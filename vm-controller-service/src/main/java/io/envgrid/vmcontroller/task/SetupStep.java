package io.envgrid.vmcontroller.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/**
 * One step of an OSWorld task's {@code config} list (desktop_env/controllers/setup.py), already checked: the closed
 * set of step types envgrid runs. Every step keeps {@link #type()}, the name it had in the task file (several names
 * share a step: {@code execute}/{@code command}, {@code activate_window}/{@code close_window}).
 */
public sealed interface SetupStep {

    /** The step's {@code type} as written in the task. */
    String type();

    /** {@code launch}: starts a program and returns at once ({@code /setup/launch}). */
    record Launch(String type, JsonNode command, boolean shell) implements SetupStep {
    }

    /**
     * {@code execute} / {@code command}: runs a command and waits for it ({@code /setup/execute}); with {@code until},
     * again every {@link Until#INTERVAL} until its answer meets the condition (OSWorld's {@code _execute_setup}).
     */
    record Execute(String type, JsonNode command, boolean shell, Until until) implements SetupStep {
    }

    /**
     * The {@code until} condition of an {@code execute} step: met when any given part is: the exit status equals
     * {@code returncode}, the standard output contains {@code stdout}, the standard error contains {@code stderr}.
     * OSWorld retries without end while the desktop answers and the condition is not met; envgrid stops after
     * {@link #LIMIT} and fails the step.
     */
    record Until(Integer returncode, String stdout, String stderr) {

        /** OSWorld's pause between two tries. */
        public static final Duration INTERVAL = Duration.ofMillis(300);
        /** How long envgrid tries before the step fails: a set-up waits for a program, not for ever. */
        public static final Duration LIMIT = Duration.ofSeconds(60);
        /** OSWorld gives up after this many failed requests (the desktop refused or could not be reached). */
        public static final int MAX_FAILED_REQUESTS = 5;

        /** Whether an answer with this exit status, output and error meets the condition. */
        public boolean metBy(Integer code, String output, String error) {
            return returncode != null && returncode.equals(code)
                    || stdout != null && output != null && output.contains(stdout)
                    || stderr != null && error != null && error.contains(stderr);
        }
    }

    /** {@code open}: opens a file with the desktop's opener and waits for its window ({@code /setup/open_file}). */
    record Open(String type, String path) implements SetupStep {
    }

    /** {@code change_wallpaper}: shows the image at {@code path} as the desktop's background ({@code /setup/change_wallpaper}). */
    record ChangeWallpaper(String type, String path) implements SetupStep {
    }

    /**
     * {@code download}: files fetched from {@code url} (by the caller, see {@link FileToPlace}) and uploaded to
     * {@code path} on the desktop ({@code /setup/upload}), in order.
     */
    record Download(String type, List<FileToPlace> files) implements SetupStep {
    }

    /** {@code sleep}: waits on the controller, bounded by the API's check (60 s). */
    record Sleep(String type, Duration duration) implements SetupStep {
    }

    /**
     * {@code activate_window} / {@code close_window}: a window by title (substring, or exact with {@code strict}) or
     * by class ({@code /setup/activate_window}, {@code /setup/close_window}).
     */
    record Window(String type, String windowName, boolean strict, boolean byClass) implements SetupStep {

        /** The desktop's endpoint for this step. */
        public String endpoint() {
            return "/setup/" + type;
        }
    }

    /**
     * A file of a {@code download} step: where it came from, where it goes, and its bytes. The controller does not
     * reach the internet itself: whoever holds the fetch rules (the gateway's fetch policy) fetches {@code url} and
     * passes the bytes on.
     */
    record FileToPlace(String url, String path, byte[] content) {
    }
}
