package io.envgrid.allocator.auth;

import jakarta.enterprise.context.RequestScoped;

/** The principal of the request being served, set by {@link ServiceTokenFilter} before any resource runs. */
@RequestScoped
public class Caller {

    private Principal principal;

    /** @throws IllegalStateException when no filter authenticated this request (a path it does not cover) */
    public Principal principal() {
        if (principal == null) {
            throw new IllegalStateException("no principal: the request was not authenticated");
        }
        return principal;
    }

    void set(Principal principal) {
        this.principal = principal;
    }
}
