package io.envgrid.deviceagent.allocatorclient;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of the allocator's {@code POST /resources/{id}/reset}: the reset after the lease with {@code fencingToken}
 * ended is {@code done} or {@code failed} ({@code reason}: why, at most 500 characters; null for done).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResetReport(long fencingToken, String outcome, String reason) {

    /** The allocator's limit on a reason. */
    private static final int MAX_REASON = 500;

    public static ResetReport done(long fencingToken) {
        return new ResetReport(fencingToken, "done", null);
    }

    public static ResetReport failed(long fencingToken, String reason) {
        String text = reason == null || reason.isBlank() ? "reset failed" : reason;
        return new ResetReport(fencingToken, "failed", text.length() > MAX_REASON ? text.substring(0, MAX_REASON) : text);
    }
}
