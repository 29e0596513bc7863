package io.envgrid.gateway.security;

import io.envgrid.gateway.error.ToolFailure;

/** The outcome of admitting a request (Host, Origin, bearer token): a principal, or the 401/403 to answer. */
public sealed interface Authentication permits Authentication.Accepted, Authentication.Refused {

    /** The token (or auth being off) proved this principal. */
    record Accepted(Principal principal) implements Authentication {
    }

    /** A foreign Host/Origin (403), no token or one that is not valid (401): {@code failure} carries the envelope. */
    record Refused(ToolFailure failure) implements Authentication {
    }
}
