package io.envgrid.deviceagent.fleet;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * The lease check a desktop's port makes on a request's head, before the call takes one of the desktop's call places
 * ({@link DesktopCallGate}). It succeeds for a caller the desktop's routes would let act (its service token, or the
 * live lease token of that desktop's resource) and fails with the route's own refusal otherwise
 * ({@link io.envgrid.deviceagent.error.ApiException}: 401, 409 or 503 with the envelope). It is an extra gate, not
 * the lease check: the route checks again when it acts, with the whole request in.
 */
@FunctionalInterface
interface DesktopHeadCheck {

    /** Lets every head through (a port whose desktop takes no credential, and tests of the port alone). */
    DesktopHeadCheck NONE = headers -> Future.succeededFuture();

    /**
     * Checks the credential in {@code headers} without blocking the caller's thread (the allocator is asked on a
     * worker).
     *
     * @return succeeded to admit the call; failed with the refusal to answer
     */
    Future<Void> check(MultiMap headers);
}
