package io.envgrid.vmcontroller.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/**
 * One step of an OSWorld task's {@code config} list (desktop_env/controllers/setup.py), already checked: the closed
 * set of step types envgrid runs. {@link #type()} is the name the step had in the task file.
 */
public sealed interface SetupStep {

    /** The step's {@code type} as written in the task ({@code execute} and {@code command} are one step). */
    String type();

    /** {@code launch}: starts a program and returns at once ({@code /setup/launch}). */
    record Launch(JsonNode command, boolean shell) implements SetupStep {
        @Override
        public String type() {
            return "launch";
        }
    }

    /** {@code execute} / {@code command}: runs a command and waits for it ({@code /setup/execute}). */
    record Execute(String type, JsonNode command, boolean shell) implements SetupStep {
    }

    /** {@code open}: opens a file with the desktop's opener and waits for its window ({@code /setup/open_file}). */
    record Open(String path) implements SetupStep {
        @Override
        public String type() {
            return "open";
        }
    }

    /**
     * {@code download}: files fetched from {@code url} (by the caller, see {@link FileToPlace}) and uploaded to
     * {@code path} on the desktop ({@code /setup/upload}), in order.
     */
    record Download(List<FileToPlace> files) implements SetupStep {
        @Override
        public String type() {
            return "download";
        }
    }

    /** {@code sleep}: waits on the controller, bounded by the API's check (60 s). */
    record Sleep(Duration duration) implements SetupStep {
        @Override
        public String type() {
            return "sleep";
        }
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
