package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A checked getter of an OSWorld evaluator ({@code result} or {@code expected}: {@code {"type", ...}}, after
 * desktop_env/evaluators/getters): the closed set envgrid can serve through the in-VM protocol. Every getter keeps
 * {@link #type()}, the name it had in the task.
 */
public sealed interface Getter {

    /** The getter's {@code type} as written in the task. */
    String type();

    /** {@code vm_file}: the file at {@code path} on the desktop ({@code /file}); a missing file is no value. */
    record VmFile(String type, String path) implements Getter {
    }

    /**
     * {@code vm_command_line} / {@code vm_command_error}: runs {@code command} ({@code /execute}) and takes its
     * standard output or its standard error.
     */
    record VmCommand(String type, JsonNode command, boolean shell) implements Getter {
        public boolean standardError() {
            return type.equals("vm_command_error");
        }
    }

    /**
     * A read of the desktop that takes no parameter: {@code accessibility_tree} ({@code /accessibility}, the tree as
     * text) or {@code vm_screen_size} ({@code /screen_size}, {@code {"width", "height"}} in pixels).
     */
    record DesktopRead(String type) implements Getter {
        public static final String ACCESSIBILITY_TREE = "accessibility_tree";
        public static final String SCREEN_SIZE = "vm_screen_size";
    }

    /** {@code list_directory}: the directory tree at {@code path} ({@code /list_directory}). */
    record ListDirectory(String type, String path) implements Getter {
    }

    /** {@code rule}: no call; the value is the getter's own {@code rules} (an object, or a list for some metrics). */
    record Rule(String type, JsonNode rules) implements Getter {
    }
}
