package io.envgrid.deviceagent.support;

import io.restassured.response.Response;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A reset of a desktop or the host device (after a lease, or at a root agent's start) refuses the calls it meets, even
 * the service token's: {@code 503 DESKTOP_UNAVAILABLE} while it runs, {@code 409 LEASE_NOT_LIVE} for a call checked
 * before it began or cut off by it. Tests that cannot wait for the allocator's {@code free} first (no allocator, or a
 * release just made) try such a call again past the reset.
 */
public final class ResetRefusals {

    private ResetRefusals() {
    }

    /** Whether {@code answer} is a reset's refusal (either form above). */
    public static boolean metAReset(Response answer) {
        return answer.statusCode() == 503 && "DESKTOP_UNAVAILABLE".equals(code(answer))
                || answer.statusCode() == 409 && "LEASE_NOT_LIVE".equals(code(answer));
    }

    /**
     * The answer of {@code call} (one that may run twice), made again while it meets a reset, for up to 60 s.
     *
     * @throws AssertionError when every try within the limit met a reset
     */
    public static Response pastAReset(Supplier<Response> call) {
        Response[] answer = new Response[1];
        Conditions.await(() -> !metAReset(answer[0] = call.get()), "no reset in the way", Duration.ofSeconds(60));
        return answer[0];
    }

    private static String code(Response answer) {
        return answer.contentType().startsWith("application/json") ? answer.jsonPath().getString("error.code") : null;
    }
}
