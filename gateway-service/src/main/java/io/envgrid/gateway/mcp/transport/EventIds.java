package io.envgrid.gateway.mcp.transport;

import java.util.regex.Pattern;

/**
 * SSE event ids of the standalone stream: Redis stream entry ids, {@code <ms>-<seq>}, which grow
 * with each message recorded for a session; compared as the two numbers they are.
 */
public final class EventIds {

    private static final Pattern FORM = Pattern.compile("\\d{1,19}-\\d{1,19}");

    private EventIds() {
    }

    /** Whether {@code id} has the form of an event id this gateway gave out (a client's {@code Last-Event-ID}). */
    public static boolean valid(String id) {
        return id != null && FORM.matcher(id).matches() && parts(id) != null;
    }

    /** Negative, zero or positive as {@code a} is before, equal to or after {@code b}; both {@link #valid}. */
    public static int compare(String a, String b) {
        long[] x = parts(a);
        long[] y = parts(b);
        int first = Long.compare(x[0], y[0]);
        return first != 0 ? first : Long.compare(x[1], y[1]);
    }

    private static long[] parts(String id) {
        int dash = id.indexOf('-');
        try {
            return new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
        } catch (NumberFormatException e) {
            return null; // 19 digits beyond Long.MAX_VALUE
        }
    }
}
