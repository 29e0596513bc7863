package io.envgrid.gateway.sandbox.profile;

import java.util.List;

/** A profile that cannot be served, with every problem found in it. */
public class ProfileException extends Exception {

    private final List<String> problems;

    public ProfileException(String source, List<String> problems) {
        super("profile " + source + " is invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
