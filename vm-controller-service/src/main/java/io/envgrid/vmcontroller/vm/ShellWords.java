package io.envgrid.vmcontroller.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command string into words as OSWorld's server does for {@code /execute} with {@code shell}
 * false ({@code shlex.split}: POSIX rules, no comments): single quotes take everything literally,
 * double quotes let a backslash escape {@code "} and {@code \}, a backslash outside quotes escapes
 * the next character. The controller splits only to refuse up front what the server cannot split
 * (it forwards the string unchanged); the messages are shlex's.
 */
public final class ShellWords {

    private ShellWords() {
    }

    /**
     * The words of {@code line}.
     *
     * @throws IllegalArgumentException "No closing quotation" or "No escaped character", as shlex raises
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (c == '\'' || c == '"') {
                inWord = true;
                int close = c == '\'' ? line.indexOf('\'', i) : closingDoubleQuote(line, i, word);
                if (close < 0) {
                    throw new IllegalArgumentException("No closing quotation");
                }
                if (c == '\'') {
                    word.append(line, i, close);
                }
                i = close + 1;
            } else if (c == '\\') {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("No escaped character");
                }
                word.append(line.charAt(i++));
                inWord = true;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { // shlex's whitespace
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the inside of a double-quoted part starting at {@code from} to {@code word}; the closing quote's index, or -1. */
    private static int closingDoubleQuote(String line, int from, StringBuilder word) {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        return -1;
    }
}
