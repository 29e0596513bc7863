package io.envgrid.allocator.auth;

import jakarta.enterprise.context.RequestScoped;

/** The principal of the request being served, set by {@link ServiceTokenFilter} before any resource runs. */
@RequestScoped
public class Caller {

    private Principal principal = new Principal.Open();

    public Principal principal() {
        return principal;
    }

    void set(Principal principal) {
        this.principal = principal;
    }
}
