package io.envgrid.pyautogui;

/**
 * Code outside the pyautogui subset the agent runs itself. The message the caller sees names the line and column
 * (both from 1) and the statement at fault, e.g. {@code line 2, column 17: unsupported statement `...`: reason}.
 */
public class PythonSubsetException extends RuntimeException {

    PythonSubsetException(String message) {
        super(message);
    }

    /** A fault at an index of the program text; the parser turns the index into a line and a column. */
    static final class At extends PythonSubsetException {

        private final int index;

        At(int index, String message) {
            super(message);
            this.index = index;
        }

        int index() {
            return index;
        }
    }
}
