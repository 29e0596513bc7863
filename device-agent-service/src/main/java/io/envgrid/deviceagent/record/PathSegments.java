package io.envgrid.deviceagent.record;

import java.util.Optional;

/**
 * Ids as single directory names (docs/isolation.md "One rule for ids"): {@code %} and {@code /} are
 * percent-encoded everywhere, a leading {@code .} too, so that no id can name a parent, nest a directory or collide
 * with another id's directory. Ids the old rule allowed ({@code [A-Za-z0-9][A-Za-z0-9._:-]*}) contain none of these
 * characters, so their directories keep the names they always had: existing records need no migration.
 */
public final class PathSegments {

    private PathSegments() {
    }

    /** The directory name of {@code id}: never empty, never containing {@code /}, never starting with {@code .}. */
    public static String encode(String id) {
        StringBuilder out = new StringBuilder(id.length() + 8);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '%' || c == '/' || (c == '.' && i == 0)) {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The id whose directory name is {@code name}; empty when {@code name} is not what {@link #encode} makes. */
    public static Optional<String> decode(String name) {
        StringBuilder id = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '%') {
                id.append(c);
                continue;
            }
            if (i + 2 >= name.length()) {
                return Optional.empty();
            }
            int high = Character.digit(name.charAt(i + 1), 16);
            int low = Character.digit(name.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            // encode escapes ASCII only, so one escape is one character
            id.append((char) (high * 16 + low));
            i += 2;
        }
        // only the canonical form: "%2f" or an unneeded "%41" would give a second name for one id
        return encode(id.toString()).equals(name) ? Optional.of(id.toString()) : Optional.empty();
    }
}
