package io.envgrid.deviceagent.support;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.net.http.HttpResponse;
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
        return metAReset(answer.statusCode(), code(answer));
    }

    /** Whether {@code answer} (of java.net.http) is a reset's refusal (either form above). */
    public static boolean metAReset(HttpResponse<String> answer) {
        boolean json = answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        return metAReset(answer.statusCode(), json ? JsonPath.from(answer.body()).getString("error.code") : null);
    }

    private static boolean metAReset(int status, String errorCode) {
        return status == 503 && "DESKTOP_UNAVAILABLE".equals(errorCode)
                || status == 409 && "LEASE_NOT_LIVE".equals(errorCode);
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
