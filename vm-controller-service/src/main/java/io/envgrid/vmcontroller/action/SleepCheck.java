package io.envgrid.vmcontroller.action;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a {@code time.sleep} (or {@code pyautogui.sleep}) call whose argument is a negative number
 * literal in pyautogui code: Python raises {@code ValueError: sleep length must be non-negative} for it
 * and the device agent refuses it, so the controller refuses it before the code leaves (issue 11).
 * Only what can be read without running the code is checked: a literal argument, outside string
 * literals and comments; {@code time.sleep(-x)} is the VM's to judge.
 */
final class SleepCheck {

    /** A sleep call with a negative literal as its one argument (after strings and comments are blanked). */
    private static final Pattern NEGATIVE_SLEEP = Pattern.compile(
            "(?<![\\w.])(?:time|pyautogui)\\s*\\.\\s*sleep\\s*\\(\\s*(?:secs\\s*=\\s*)?-\\s*"
                    + "(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
                    + "|(?:\\d[\\d_]*(?:\\.[\\d_]*)?|\\.\\d[\\d_]*)(?:[eE][+-]?\\d[\\d_]*)?)\\s*,?\\s*\\)");

    private SleepCheck() {
    }

    /** The first sleep call with a negative literal argument in {@code code}, as written, if any. */
    static Optional<String> negativeSleep(String code) {
        String blanked = withoutStringsAndComments(code);
        Matcher m = NEGATIVE_SLEEP.matcher(blanked);
        while (m.find()) {
            if (positive(m.group(1).replace("_", ""))) {
                return Optional.of(code.substring(m.start(), m.end()));
            }
        }
        return Optional.empty();
    }

    /** {@code -0} and {@code -0.0} are no negative sleep: Python compares the value. */
    private static boolean positive(String literal) {
        String lower = literal.toLowerCase();
        if (lower.startsWith("0x") || lower.startsWith("0o") || lower.startsWith("0b")) {
            int radix = lower.charAt(1) == 'x' ? 16 : lower.charAt(1) == 'o' ? 8 : 2;
            return new BigInteger(lower.substring(2), radix).signum() > 0;
        }
        return new BigDecimal(lower).signum() > 0;
    }

    /**
     * {@code code} with the inside of every string literal (any prefix, single or triple quoted) and
     * every comment replaced by spaces, so only code outside them is matched; offsets are kept.
     */
    static String withoutStringsAndComments(String code) {
        char[] out = code.toCharArray();
        int i = 0;
        while (i < out.length) {
            char c = out[i];
            if (c == '#') {
                while (i < out.length && out[i] != '\n') {
                    out[i++] = ' ';
                }
            } else if (c == '\'' || c == '"') {
                boolean triple = i + 2 < out.length && out[i + 1] == c && out[i + 2] == c;
                int j = triple ? i + 3 : i + 1;
                while (j < out.length && !closes(out, j, c, triple)) {
                    if (out[j] == '\\') {
                        out[j++] = ' '; // an escape, even in a raw string, keeps the next quote inside
                    }
                    if (j < out.length) {
                        out[j++] = ' ';
                    }
                }
                i = Math.min(out.length, j + (triple ? 3 : 1));
            } else {
                i++;
            }
        }
        return new String(out);
    }

    private static boolean closes(char[] s, int at, char quote, boolean triple) {
        if (!triple) {
            return s[at] == quote || s[at] == '\n';
        }
        return s[at] == quote && at + 2 < s.length && s[at + 1] == quote && s[at + 2] == quote;
    }
}
