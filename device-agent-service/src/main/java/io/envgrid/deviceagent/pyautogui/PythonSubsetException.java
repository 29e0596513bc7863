package io.envgrid.deviceagent.pyautogui;

/** Code outside the pyautogui subset the agent runs itself; the message names the statement. */
class PythonSubsetException extends RuntimeException {

    PythonSubsetException(String message) {
        super(message);
    }
}
