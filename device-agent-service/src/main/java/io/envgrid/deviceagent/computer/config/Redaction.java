package io.envgrid.deviceagent.computer.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a config value looks when it leaves the host ({@code client:get_config}, {@code GET /computer/config}): every
 * {@code ${input:<id>}} placeholder as written, every literal run around them replaced by {@link #MASK}. The reference
 * Computer returns the config as written, placeholders unrendered, so that "secrets never leave the host" holds only
 * for secrets kept in inputs; a token pasted straight into {@code env} or {@code headers} would travel to every agent
 * of the office. Here any literal there is masked (its key stays: an agent may learn that {@code Authorization} is set,
 * not to what), so the promise holds whatever the operator wrote.
 */
public final class Redaction {

    /** What replaces a literal value. */
    public static final String MASK = "******";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{input:[^}]+}");
    /** scheme://, authority, path, query (fragment included: it never reaches the server, and may hold anything). */
    private static final Pattern URL = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)([^?#]*)(?:([?#])(.*))?",
            Pattern.DOTALL);

    private Redaction() {
    }

    /** {@code value} with its placeholders kept and every other non-blank run masked; null stays null. */
    public static String value(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(literal(value.substring(last, m.start()))).append(m.group());
            last = m.end();
        }
        return out.append(literal(value.substring(last))).toString();
    }

    /** Each value of {@code values} through {@link #value(String)}, keys as written; null stays null. */
    public static Map<String, String> values(Map<String, String> values) {
        if (values == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    /**
     * A URL with its user info and query (where credentials are put: {@code https://user:key@host/},
     * {@code ?api_key=…}) masked as values are; scheme, host, port and path stay, so an agent can tell servers apart.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        // read by pattern, not java.net.URI: a placeholder's braces are no legal URI characters
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            return value(url);
        }
        String authority = m.group(2);
        int at = authority.lastIndexOf('@');
        StringBuilder out = new StringBuilder(m.group(1));
        if (at >= 0) {
            out.append(value(authority.substring(0, at))).append('@');
        }
        out.append(authority.substring(at + 1)).append(m.group(3));
        if (m.group(4) != null) {
            out.append(m.group(4)).append(value(m.group(5)));
        }
        return out.toString();
    }

    private static String literal(String run) {
        return run.isBlank() ? run : MASK;
    }
}
