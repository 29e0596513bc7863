package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A checked getter of an OSWorld evaluator ({@code result} or {@code expected}: {@code {"type", ...}}, after
 * desktop_env/evaluators/getters): the closed set envgrid can serve through the in-VM protocol.
 */
public sealed interface Getter {

    /** The getter's {@code type} as written in the task. */
    String type();

    /** {@code vm_file}: the file at {@code path} on the desktop ({@code /file}); a missing file is no value. */
    record VmFile(String path) implements Getter {
        @Override
        public String type() {
            return "vm_file";
        }
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

    /** {@code accessibility_tree}: the desktop's accessibility tree as the desktop serves it ({@code /accessibility}). */
    record AccessibilityTree() implements Getter {
        @Override
        public String type() {
            return "accessibility_tree";
        }
    }

    /** {@code list_directory}: the directory tree at {@code path} ({@code /list_directory}). */
    record ListDirectory(String path) implements Getter {
        @Override
        public String type() {
            return "list_directory";
        }
    }

    /** {@code rule}: no call; the value is the getter's own {@code rules} object. */
    record Rule(JsonNode rules) implements Getter {
        @Override
        public String type() {
            return "rule";
        }
    }
}
