package io.envgrid.pyautogui;

import java.util.Locale;
import java.util.Set;

/**
 * Python's string literal grammar (the Python Language Reference, "String and Bytes literals"): an optional
 * prefix ({@code r}, {@code u}, either case), a single or triple quote of either kind, and the escapes
 * {@code \\ \' \" \a \b \f \n \r \t \v}, {@code \ooo} (one to three octal digits), {@code \xhh},
 * {@code \N{NAME}}, &#92;uXXXX, &#92;UXXXXXXXX and backslash-newline (a line continuation). An
 * unknown escape such as {@code \d} keeps its backslash, as Python does. Raw strings keep every backslash.
 *
 * <p>{@code \N{NAME}} takes the Unicode character names the JDK knows ({@link Character#codePointOf}: the
 * names of the JDK's Unicode version, any case), not Python's name aliases or named sequences; an unknown name is
 * refused. Bytes ({@code b''}) and f-strings are refused: pyautogui takes text, and an f-string is code.
 */
final class StringLiteral {

    /** Prefixes that make a string the subset reads; other prefixes before a quote are refused by name. */
    private static final Set<String> TEXT_PREFIXES = Set.of("", "r", "u");
    private static final Set<String> BYTES_PREFIXES = Set.of("b", "br", "rb");
    private static final Set<String> FORMAT_PREFIXES = Set.of("f", "fr", "rf");

    /** A literal's value and the index just past its closing quote. */
    record Read(String value, int end) {
    }

    private final String code;
    private int at;

    private StringLiteral(String code, int at) {
        this.code = code;
        this.at = at;
    }

    /** Whether a name directly followed by a quote is a string prefix (so the name and the string are one token). */
    static boolean isPrefix(String word) {
        String p = word.toLowerCase(Locale.ROOT);
        return TEXT_PREFIXES.contains(p) || BYTES_PREFIXES.contains(p) || FORMAT_PREFIXES.contains(p);
    }

    /**
     * Reads the literal whose prefix is {@code prefix} and whose opening quote is at {@code quoteAt}.
     *
     * @throws PythonSubsetException with the index of the fault for bytes, f-strings, an unterminated literal or a
     *                               malformed escape
     */
    static Read read(String code, String prefix, int quoteAt) {
        String p = prefix.toLowerCase(Locale.ROOT);
        if (BYTES_PREFIXES.contains(p)) {
            throw new PythonSubsetException.At(quoteAt - prefix.length(), "bytes literals are outside the subset"
                    + " (pyautogui types text: drop the b prefix)");
        }
        if (FORMAT_PREFIXES.contains(p)) {
            throw new PythonSubsetException.At(quoteAt - prefix.length(), "f-strings are outside the subset"
                    + " (they run code): write the text as a plain literal");
        }
        return new StringLiteral(code, quoteAt).body(p.contains("r"));
    }

    private Read body(boolean raw) {
        int open = at;
        char quote = code.charAt(at);
        String delimiter = code.startsWith(String.valueOf(quote).repeat(3), at) ? String.valueOf(quote).repeat(3)
                : String.valueOf(quote);
        boolean triple = delimiter.length() == 3;
        at += delimiter.length();
        StringBuilder value = new StringBuilder();
        while (true) {
            if (at >= code.length() || (!triple && code.charAt(at) == '\n')) {
                throw new PythonSubsetException.At(open, "unterminated string literal");
            }
            if (code.startsWith(delimiter, at)) {
                return new Read(value.toString(), at + delimiter.length());
            }
            char c = code.charAt(at);
            if (c == '\\' && at + 1 < code.length()) {
                if (raw) {
                    // a raw string keeps the backslash, which still stops the next character from closing it
                    value.append(c).append(code.charAt(at + 1));
                    at += 2;
                } else {
                    escape(value);
                }
                continue;
            }
            value.append(c);
            at++;
        }
    }

    private void escape(StringBuilder value) {
        int start = at;
        char e = code.charAt(at + 1);
        at += 2;
        switch (e) {
            case '\n' -> { }
            case '\r' -> at += code.startsWith("\n", at) ? 1 : 0;
            case '\\', '\'', '"' -> value.append(e);
            case 'a' -> value.append('\u0007');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'v' -> value.append('\u000B');
            case 'x' -> value.appendCodePoint(hex(start, 2, "\\xhh"));
            case 'u' -> value.appendCodePoint(hex(start, 4, "\\uXXXX"));
            case 'U' -> {
                int codePoint = hex(start, 8, "\\UXXXXXXXX");
                if (codePoint > Character.MAX_CODE_POINT) {
                    throw new PythonSubsetException.At(start, "\\U escape beyond the last Unicode code point");
                }
                value.appendCodePoint(codePoint);
            }
            case 'N' -> value.appendCodePoint(named(start));
            default -> {
                if (e >= '0' && e <= '7') {
                    int octal = e - '0';
                    for (int digits = 1; digits < 3 && at < code.length() && code.charAt(at) >= '0'
                            && code.charAt(at) <= '7'; digits++) {
                        octal = octal * 8 + code.charAt(at++) - '0';
                    }
                    value.append((char) octal);
                } else {
                    // Python keeps an unknown escape as written (with a SyntaxWarning)
                    value.append('\\').append(e);
                }
            }
        }
    }

    private int hex(int start, int digits, String form) {
        if (at + digits > code.length()) {
            throw new PythonSubsetException.At(start, "truncated " + form + " escape");
        }
        String text = code.substring(at, at + digits);
        for (char c : text.toCharArray()) {
            if (Character.digit(c, 16) < 0) {
                throw new PythonSubsetException.At(start, "truncated " + form + " escape");
            }
        }
        at += digits;
        return (int) Long.parseLong(text, 16);
    }

    private int named(int start) {
        int close = code.indexOf('}', at);
        int line = code.indexOf('\n', at);
        if (!code.startsWith("{", at) || close < 0 || (line >= 0 && line < close)) {
            throw new PythonSubsetException.At(start, "malformed \\N character escape (write \\N{NAME})");
        }
        String name = code.substring(at + 1, close);
        at = close + 1;
        try {
            if (!name.strip().equals(name)) {
                // Character.codePointOf strips blanks around a name; Python's \N{...} does not know " BULLET"
                throw new IllegalArgumentException(name);
            }
            return Character.codePointOf(name);
        } catch (IllegalArgumentException unknown) {
            throw new PythonSubsetException.At(start, "unknown Unicode character name '" + name + "' in \\N{...}");
        }
    }
}
