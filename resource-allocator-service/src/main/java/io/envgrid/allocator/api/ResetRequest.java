package io.envgrid.allocator.api;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.inventory.ResetReport;

/**
 * {@code POST /resources/{id}/reset}: {@code fencing_token} of the lease whose end the owner reset
 * after, {@code outcome} {@code done} or {@code failed}, {@code reason} (failed only, up to 500
 * characters; recorded as the resource's {@code down_reason}).
 */
public record ResetRequest(Long fencingToken, String outcome, String reason) {

    private static final int MAX_REASON = 500;

    /** Checks the request and maps it to the inventory's own type; 400 on anything missing or out of range. */
    public ResetReport toReport() {
        if (fencingToken == null || fencingToken < 1) {
            throw ApiException.badRequest("'fencing_token' must be a positive integer");
        }
        ResetReport.Outcome parsed;
        if ("done".equals(outcome)) {
            parsed = ResetReport.Outcome.DONE;
        } else if ("failed".equals(outcome)) {
            parsed = ResetReport.Outcome.FAILED;
        } else {
            throw ApiException.badRequest("'outcome' must be 'done' or 'failed'");
        }
        if (reason != null && (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl))) {
            throw ApiException.badRequest("'reason' must be at most " + MAX_REASON + " characters without control characters");
        }
        if (parsed == ResetReport.Outcome.DONE) {
            return new ResetReport(fencingToken, parsed, "");
        }
        return new ResetReport(fencingToken, parsed, reason == null || reason.isBlank() ? "reset failed" : reason);
    }
}
