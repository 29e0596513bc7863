package io.envgrid.pyautogui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the small part of Python that agents' pyautogui actions are written in: statements
 * separated by newlines or {@code ;} (comments, blank lines, backslash continuations and line breaks
 * inside brackets as Python allows), each an {@code import}, an assignment to
 * {@code pyautogui.FAILSAFE}/{@code PAUSE}, or a call with literal arguments: numbers, strings (the
 * full literal grammar, {@link StringLiteral}; adjacent literals concatenated), {@code True},
 * {@code False}, {@code None}, lists, tuples and dotted names. Anything else is refused with the
 * line, column and statement at fault, before anything runs.
 */
final class PythonSubset {

    private static final Set<String> SETTABLE = Set.of("pyautogui.FAILSAFE", "pyautogui.PAUSE");

    /**
     * Lists and tuples inside one another: pyautogui's arguments need two levels (a list of key names, a pair in a
     * tuple); the bound keeps the recursive reading of hostile code such as 100,000 brackets off the stack's end.
     */
    private static final int MAX_NESTING = 32;

    private enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, END }

    private record Token(Kind kind, String text, Object value, int start, int end) {
    }

    private final String code;
    /** Index of each line's first character, ascending: a call's position is a binary search, not a rescan of the code. */
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int at;
    private int nesting;

    private PythonSubset(String code) {
        this.code = code;
        this.lineStarts = lineStarts(code);
    }

    private static int[] lineStarts(String code) {
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < code.length(); i++) {
            if (code.charAt(i) == '\n') {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /**
     * The program's calls and settings in order (imports dropped); a {@link PythonSubsetException} if it leaves the
     * subset. Line ends are read as Python reads source: {@code \r\n} and a lone {@code \r} are newlines, so a
     * triple-quoted string written with CRLF line ends holds {@code \n}, as in Python.
     */
    static List<PyCall> parse(String code) {
        PythonSubset parser = new PythonSubset(code.replace("\r\n", "\n").replace('\r', '\n'));
        parser.tokenize();
        return parser.program();
    }

    // ---- statements

    private List<PyCall> program() {
        List<PyCall> calls = new ArrayList<>();
        while (peek().kind() != Kind.END) {
            if (isSeparator(peek())) {
                at++;
                continue;
            }
            int start = at;
            try {
                PyCall call = statement();
                if (!isSeparator(peek()) && peek().kind() != Kind.END) {
                    throw new PythonSubsetException("unexpected '" + peek().text() + "'");
                }
                if (call != null) {
                    calls.add(call);
                }
            } catch (PythonSubsetException e) {
                // the token the parser stopped at is where the statement leaves the subset
                int index = e instanceof PythonSubsetException.At fault ? fault.index() : tokens.get(Math.min(at, tokens.size() - 1)).start();
                throw new PythonSubsetException(where(index) + ": unsupported statement `" + statementText(start) + "`: "
                        + e.getMessage());
            }
        }
        return calls;
    }

    private static boolean isSeparator(Token t) {
        return t.kind() == Kind.NEWLINE || (t.kind() == Kind.OP && t.text().equals(";"));
    }

    private PyCall statement() {
        int start = peek().start();
        if (peek().kind() == Kind.NAME && peek().text().equals("import")) {
            at++;
            dotted();
            while (acceptOp(",")) {
                dotted();
            }
            return null;
        }
        String target = dotted();
        if (acceptOp("=")) {
            if (!SETTABLE.contains(target)) {
                throw new PythonSubsetException("only pyautogui.FAILSAFE and pyautogui.PAUSE may be assigned");
            }
            Object value = expression();
            int[] lineColumn = lineColumn(start);
            return new PyCall(target, List.of(value), Map.of(), code.substring(start, tokens.get(at - 1).end()).trim(),
                    lineColumn[0], lineColumn[1], true);
        }
        expectOp("(");
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        while (!acceptOp(")")) {
            if (peek().kind() == Kind.NAME && tokens.get(at + 1).kind() == Kind.OP && tokens.get(at + 1).text().equals("=")) {
                String name = next().text();
                at++;
                if (kwargs.put(name, expression()) != null) {
                    throw new PythonSubsetException("keyword argument '" + name + "' repeated");
                }
            } else {
                if (!kwargs.isEmpty()) {
                    throw new PythonSubsetException("positional argument after keyword argument");
                }
                args.add(expression());
            }
            if (!acceptOp(",")) {
                expectOp(")");
                break;
            }
        }
        int[] lineColumn = lineColumn(start);
        return new PyCall(target, args, kwargs, code.substring(start, tokens.get(at - 1).end()).trim(), lineColumn[0],
                lineColumn[1], false);
    }

    private String dotted() {
        Token first = next();
        if (first.kind() != Kind.NAME) {
            throw new PythonSubsetException("expected a name, found '" + first.text() + "'");
        }
        StringBuilder name = new StringBuilder(first.text());
        while (acceptOp(".")) {
            Token part = next();
            if (part.kind() != Kind.NAME) {
                throw new PythonSubsetException("expected a name after '.'");
            }
            name.append('.').append(part.text());
        }
        return name.toString();
    }

    private Object expression() {
        Token t = peek();
        if (t.kind() == Kind.OP && (t.text().equals("-") || t.text().equals("+"))) {
            at++;
            Token number = next();
            if (number.kind() != Kind.NUMBER) {
                throw new PythonSubsetException("expected a number after '" + t.text() + "'");
            }
            return t.text().equals("-") ? negate(number.value()) : number.value();
        }
        if (t.kind() == Kind.NUMBER) {
            return next().value();
        }
        if (t.kind() == Kind.STRING) {
            StringBuilder text = new StringBuilder();
            while (peek().kind() == Kind.STRING) {
                text.append((String) next().value());
            }
            return text.toString();
        }
        if (t.kind() == Kind.OP && (t.text().equals("[") || t.text().equals("("))) {
            String close = t.text().equals("[") ? "]" : ")";
            if (nesting == MAX_NESTING) {
                throw new PythonSubsetException("lists and tuples nested more than " + MAX_NESTING + " deep");
            }
            at++;
            nesting++;
            List<Object> items = new ArrayList<>();
            boolean comma = false;
            while (!acceptOp(close)) {
                items.add(expression());
                comma = acceptOp(",");
                if (!comma) {
                    expectOp(close);
                    break;
                }
            }
            nesting--;
            // (x) is x itself; (x,) and [x] are sequences
            return close.equals(")") && items.size() == 1 && !comma ? items.get(0) : items;
        }
        if (t.kind() == Kind.NAME) {
            String name = dotted();
            return switch (name) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> PyCall.NONE;
                default -> {
                    if (peek().kind() == Kind.OP && peek().text().equals("(")) {
                        throw new PythonSubsetException("calls are not allowed as arguments");
                    }
                    yield new PyCall.Name(name);
                }
            };
        }
        throw new PythonSubsetException("expected a literal, found '" + t.text() + "'");
    }

    private static Object negate(Object number) {
        return number instanceof Long l ? (Object) (-l) : (Object) (-(Double) number);
    }

    private boolean acceptOp(String op) {
        if (peek().kind() == Kind.OP && peek().text().equals(op)) {
            at++;
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        if (!acceptOp(op)) {
            throw new PythonSubsetException("expected '" + op + "', found '" + peek().text() + "'");
        }
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.END) {
            at++;
        }
        return t;
    }

    /** The source text of the statement starting at token {@code from}, for error messages. */
    private String statementText(int from) {
        int end = from;
        while (tokens.get(end).kind() != Kind.END && !isSeparator(tokens.get(end))) {
            end++;
        }
        int stop = end > from ? tokens.get(end - 1).end() : tokens.get(from).end();
        return code.substring(tokens.get(from).start(), Math.max(stop, tokens.get(from).start())).trim();
    }

    // ---- tokens

    private void tokenize() {
        int i = 0;
        int depth = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (c == '#') {
                while (i < code.length() && code.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\\' && (code.startsWith("\n", i + 1) || code.startsWith("\r\n", i + 1))) {
                i += code.charAt(i + 1) == '\r' ? 3 : 2;
            } else if (c == '\n') {
                if (depth == 0) {
                    tokens.add(new Token(Kind.NEWLINE, "\\n", null, i, i + 1));
                }
                i++;
            } else if (c == ' ' || c == '\t' || c == '\f') {
                // Python's blanks; any other space character (U+2003, U+00A0 ...) is a syntax error there
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < code.length() && (Character.isLetterOrDigit(code.charAt(i)) || code.charAt(i) == '_')) {
                    i++;
                }
                String word = code.substring(start, i);
                if (i < code.length() && (code.charAt(i) == '\'' || code.charAt(i) == '"') && StringLiteral.isPrefix(word)) {
                    i = string(start, word, i);
                } else {
                    tokens.add(new Token(Kind.NAME, word, null, start, i));
                }
            } else if (isDigit(c) || (c == '.' && i + 1 < code.length() && isDigit(code.charAt(i + 1)))) {
                i = number(i);
            } else if (c == '\'' || c == '"') {
                i = string(i, "", i);
            } else if ("()[],=.;-+".indexOf(c) >= 0) {
                depth += c == '(' || c == '[' ? 1 : c == ')' || c == ']' ? -1 : 0;
                tokens.add(new Token(Kind.OP, String.valueOf(c), null, i, i + 1));
                i++;
            } else {
                throw new PythonSubsetException(where(i) + ": unsupported statement `" + lineAround(i) + "`: character '"
                        + c + "' is outside the subset");
            }
        }
        tokens.add(new Token(Kind.END, "end of code", null, code.length(), code.length()));
    }

    private int string(int start, String prefix, int quoteAt) {
        StringLiteral.Read literal;
        try {
            literal = StringLiteral.read(code, prefix, quoteAt);
        } catch (PythonSubsetException.At e) {
            throw new PythonSubsetException(where(e.index()) + ": unsupported statement `" + lineAround(e.index()) + "`: "
                    + e.getMessage());
        }
        tokens.add(new Token(Kind.STRING, code.substring(start, literal.end()), literal.value(), start, literal.end()));
        return literal.end();
    }

    /** Line and column (both from 1) of an index of the code. */
    private int[] lineColumn(int index) {
        int found = Arrays.binarySearch(lineStarts, index);
        int line = found >= 0 ? found : -found - 2;
        return new int[] {line + 1, index - lineStarts[line] + 1};
    }

    private String where(int index) {
        int[] lineColumn = lineColumn(index);
        return "line " + lineColumn[0] + ", column " + lineColumn[1];
    }

    /** An ASCII digit: Python's numbers are written in these only ({@code \u0663} is no 3 there). */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * A number as Python's grammar writes one (the Language Reference, "Integer literals" and "Floating-point
     * literals"): decimal integers without leading zeros, {@code 0x}/{@code 0o}/{@code 0b} integers, floats with a
     * fraction, an exponent or both; an underscore only between two digits. Imaginary numbers and anything else are
     * refused.
     */
    private int number(int start) {
        int i = start;
        boolean radix = code.length() > start + 1 && code.charAt(start) == '0' && "xXoObB".indexOf(code.charAt(start + 1)) >= 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            boolean exponentSign = !radix && (c == '-' || c == '+') && (code.charAt(i - 1) == 'e' || code.charAt(i - 1) == 'E');
            if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || exponentSign)) {
                break;
            }
            i++;
        }
        String text = code.substring(start, i);
        Object value = null;
        try {
            if (text.length() > MAX_NUMBER_LENGTH) {
                // no coordinate, count or length of the subset is written that long; and the patterns below recurse
                // once per digit group, which a number of 100,000 digits would take past the stack's end
                value = null;
            } else if (DECIMAL_INTEGER.matcher(text).matches()) {
                value = Long.parseLong(text.replace("_", ""));
            } else if (RADIX_INTEGER.matcher(text).matches()) {
                char base = Character.toLowerCase(text.charAt(1));
                value = Long.parseLong(text.substring(2).replace("_", ""), base == 'x' ? 16 : base == 'o' ? 8 : 2);
            } else if (FLOAT.matcher(text).matches()) {
                value = Double.parseDouble(text.replace("_", ""));
            }
        } catch (NumberFormatException tooLarge) {
            // beyond a long: no coordinate, count or length of the subset is that large; refused below
        }
        if (value == null) {
            throw new PythonSubsetException(where(start) + ": unsupported statement `" + lineAround(start) + "`: bad number '"
                    + text + "'");
        }
        tokens.add(new Token(Kind.NUMBER, text, value, start, i));
        return i;
    }

    private static final int MAX_NUMBER_LENGTH = 1000;
    private static final String DIGITS = "[0-9](?:_?[0-9])*";
    private static final Pattern DECIMAL_INTEGER = Pattern.compile("[1-9](?:_?[0-9])*|0+(?:_?0)*");
    private static final Pattern RADIX_INTEGER = Pattern.compile("0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+");
    private static final Pattern FLOAT = Pattern.compile("(?:(?:" + DIGITS + ")?\\." + DIGITS + "|" + DIGITS + "\\.)"
            + "(?:[eE][+-]?" + DIGITS + ")?|" + DIGITS + "[eE][+-]?" + DIGITS);

    private String lineAround(int index) {
        int from = code.lastIndexOf('\n', Math.max(0, index - 1)) + 1;
        int to = code.indexOf('\n', index);
        return code.substring(from, to < 0 ? code.length() : to).trim();
    }
}
