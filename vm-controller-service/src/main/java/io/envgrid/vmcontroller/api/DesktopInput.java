package io.envgrid.vmcontroller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.vm.ShellWords;
import java.util.List;

/**
 * What a caller sends for the desktop, checked before it is forwarded: every value here that the
 * desktop (OSWorld's server or the device agent) could only refuse or crash on is refused with 400
 * {@code INVALID_PARAMETERS} instead, so a client mistake never reaches a VM or comes back as a 5xx
 * (issue 11). What depends on the VM's state (a file that is not there) is left to the desktop, whose
 * 4xx is passed on ({@link io.envgrid.vmcontroller.vm.VmCallException.Refused}).
 */
final class DesktopInput {

    private DesktopInput() {
    }

    /** A command for {@code /execute} or {@code /setup/launch}; the answer is what is forwarded, unchanged. */
    record Command(JsonNode command, boolean shell) {
    }

    /**
     * {@code command}: a non-empty list of strings naming a program (with {@code shell} false), or one
     * non-blank string; without {@code shell} the string must split like a shell line (OSWorld's server
     * runs {@code shlex.split} on it) into words naming a program. No NUL anywhere: no process argument
     * can carry one. With {@code shell} true the string goes to {@code sh -c}; its syntax is the shell's
     * to judge (a syntax error is exit status 2 in the answer).
     */
    static Command command(Requests.Command request) {
        JsonNode command = request == null ? null : request.command();
        if (command == null || !(command.isArray() || command.isTextual())) {
            throw ApiException.badRequest("command is required: a list of arguments or a string");
        }
        boolean shell = Boolean.TRUE.equals(request.shell());
        if (command.isArray()) {
            if (shell) {
                throw ApiException.badRequest("command must be a string when shell is true");
            }
            if (command.isEmpty()) {
                throw ApiException.badRequest("command must not be an empty list");
            }
            for (int i = 0; i < command.size(); i++) {
                JsonNode word = command.get(i);
                if (!word.isTextual()) {
                    throw ApiException.badRequest("command[" + i + "] must be a string, not " + word.getNodeType());
                }
                noNul("command[" + i + "]", word.asText());
            }
            program(command.get(0).asText());
            return new Command(command, false);
        }
        String line = command.asText();
        if (line.isBlank()) {
            throw ApiException.badRequest("command must not be blank");
        }
        noNul("command", line);
        if (!shell) {
            List<String> words;
            try {
                words = ShellWords.split(line);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("command cannot be split into arguments (" + e.getMessage()
                        + "); quote it properly, or send a list, or set shell true");
            }
            if (words.isEmpty()) {
                throw ApiException.badRequest("command has no words");
            }
            program(words.get(0));
        }
        return new Command(command, shell);
    }

    /** A path in the VM: present, not blank, no NUL (no file system can name it). */
    static String path(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field + " is required: a non-empty path");
        }
        noNul(field, value);
        return value;
    }

    /** Python source for {@code /run_python}: present, not blank, no NUL (Python refuses source with a NUL byte). */
    static String python(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("code is required");
        }
        noNul("code", value);
        return value;
    }

    private static void program(String word) {
        if (word.isBlank()) {
            throw ApiException.badRequest("command must start with a program name, not a blank word");
        }
    }

    private static void noNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field + " must not contain a NUL character");
        }
    }
}
