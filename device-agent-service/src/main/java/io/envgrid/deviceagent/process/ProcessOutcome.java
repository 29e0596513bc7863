package io.envgrid.deviceagent.process;

import java.nio.charset.StandardCharsets;

/** How a host process ended: exit code, what it wrote (stdout as bytes: it may be an image) and whether it was stopped at its deadline. */
public record ProcessOutcome(int exitCode, byte[] stdout, String stderr, boolean timedOut) {

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
