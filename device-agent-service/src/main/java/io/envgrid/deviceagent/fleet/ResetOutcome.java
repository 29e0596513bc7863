package io.envgrid.deviceagent.fleet;

import java.time.Duration;

/** How a desktop's reset to its template ended: reported to the allocator as {@code done} or {@code failed}. */
public sealed interface ResetOutcome {

    /** Clean: its processes killed, display restarted, home restored, start-up programs launched. */
    record Done(Duration took) implements ResetOutcome {
    }

    /** Not clean; {@code reason} says which step failed (the allocator keeps it as the desktop's {@code down_reason}). */
    record Failed(String reason) implements ResetOutcome {
    }
}
