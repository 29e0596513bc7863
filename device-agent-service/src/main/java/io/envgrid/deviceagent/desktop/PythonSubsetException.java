package io.envgrid.deviceagent.desktop;

/** Code outside the pyautogui subset the agent runs itself; the message names the statement. */
class PythonSubsetException extends RuntimeException {

    PythonSubsetException(String message) {
        super(message);
    }
}
