package io.envgrid.deviceagent.fleet;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * The lease check a desktop's port makes on a request's head, before the call takes one of the desktop's call places
 * ({@link DesktopCallGate}). It succeeds for a caller the desktop's routes would let act (its service token, or the
 * live lease token of that desktop's resource) and fails with the route's own refusal otherwise
 * ({@link io.envgrid.deviceagent.error.ApiException}: 401, 409 or 503 with the envelope). The check it made can be
 * handed to the route ({@link HeadChecks}), which then does not ask the allocator again for the same call, unless the
 * whole request took longer to arrive than a lease may go unconfirmed, or the desktop was reset meanwhile.
 */
@FunctionalInterface
interface DesktopHeadCheck {

    /** Lets every head through (a port whose desktop takes no credential, and tests of the port alone). */
    DesktopHeadCheck NONE = headers -> Future.succeededFuture();

    /**
     * Checks the credential in {@code headers} without blocking the caller's thread (the allocator is asked with a
     * non-blocking client).
     *
     * @return succeeded to admit the call, with the name of the check kept for the route ({@link HeadChecks#HEADER})
     *         or null; failed with the refusal to answer
     */
    Future<String> check(MultiMap headers);

    /** Drops the check named {@code name} (null allowed) once its call is over. */
    default void forget(String name) {
    }
}
