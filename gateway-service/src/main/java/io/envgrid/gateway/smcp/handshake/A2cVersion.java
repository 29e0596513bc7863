package io.envgrid.gateway.smcp.handshake;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An {@code a2c_version} query value, {@code MAJOR.MINOR.PATCH} (A2C-SMCP {@code versioning.md}). */
public record A2cVersion(int major, int minor, int patch) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})");

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with the parser's message when it is not {@code MAJOR.MINOR.PATCH}
     */
    public static A2cVersion parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not MAJOR.MINOR.PATCH");
        }
        return new A2cVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /**
     * The compatibility rule of {@code versioning.md}: before 1.0 MAJOR and MINOR must be equal; from 1.0 MAJOR
     * must be equal and the client's MINOR not above the server's.
     */
    public boolean servedBy(A2cVersion server) {
        if (major != server.major) {
            return false;
        }
        return major == 0 ? minor == server.minor : minor <= server.minor;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
