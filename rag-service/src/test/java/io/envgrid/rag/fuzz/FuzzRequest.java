package io.envgrid.rag.fuzz;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One generated request, kept in parts (path and query values with how each is encoded, the body as a
 * {@link Json} tree or lines of them) so that a failing request can be shrunk.
 *
 * @param operation the OpenAPI operation it was generated for
 * @param method the method sent, which may differ from the operation's
 * @param contentType the Content-Type header, or null for none
 * @param headers further headers (Accept, Content-Encoding, …)
 */
record FuzzRequest(OpenApi.Operation operation, String method, Map<String, Value> pathValues, List<Map.Entry<String, Value>> query,
        String contentType, Map<String, String> headers, Body body) {

    /** How a value is put in the URL. */
    enum Encoding {
        /** Percent-encoded UTF-8, all but the unreserved characters: what a correct client sends. */
        STRICT,
        /** As it is, when every character is allowed there ({@code ..}, {@code a/b}, {@code %2e%2e}); else STRICT. */
        RAW,
        /** Percent-encoded twice. */
        DOUBLE
    }

    record Value(String text, Encoding encoding) {
    }

    /** A request body in the shape it was generated in. */
    sealed interface Body {
        byte[] bytes();

        /** Smaller variants, simplest first; none for a body that has nothing to shrink. */
        default List<Body> smaller() {
            return List.of();
        }
    }

    record NoBody() implements Body {
        @Override
        public byte[] bytes() {
            return null;
        }
    }

    record JsonBody(Json json) implements Body {
        @Override
        public byte[] bytes() {
            return json.render().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<Body> smaller() {
            return json.smaller().stream().<Body>map(JsonBody::new).toList();
        }
    }

    /** JSON lines; each line a value or raw text. */
    record Lines(List<Json> lines, String separator) implements Body {
        @Override
        public byte[] bytes() {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                out.append(i == 0 ? "" : separator).append(lines.get(i).render());
            }
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<Body> smaller() {
            List<Body> smaller = new ArrayList<>();
            if (lines.size() > 4) {
                smaller.add(new Lines(lines.subList(0, lines.size() / 2), separator));
                smaller.add(new Lines(lines.subList(lines.size() / 2, lines.size()), separator));
            }
            for (int i = 0; i < Math.min(lines.size(), 4); i++) {
                List<Json> without = new ArrayList<>(lines);
                without.remove(i);
                smaller.add(new Lines(without, separator));
                for (Json line : lines.get(i).smaller()) {
                    List<Json> changed = new ArrayList<>(lines);
                    changed.set(i, line);
                    smaller.add(new Lines(changed, separator));
                }
            }
            return smaller;
        }
    }

    record Text(String text) implements Body {
        @Override
        public byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<Body> smaller() {
            return text.length() <= 1 ? List.of() : List.of(new Text(text.substring(0, text.length() / 2)), new Text("a"));
        }
    }

    /** Bytes that are not UTF-8. */
    record Bytes(byte[] content) implements Body {
        @Override
        public byte[] bytes() {
            return content;
        }
    }

    /** The request target: the path with its values put in, and the query string. */
    String target() {
        String path = operation.path();
        for (Map.Entry<String, Value> value : pathValues.entrySet()) {
            path = path.replace("{" + value.getKey() + "}", encode(value.getValue(), PATH_ALLOWED));
        }
        StringBuilder target = new StringBuilder(path);
        for (int i = 0; i < query.size(); i++) {
            target.append(i == 0 ? '?' : '&').append(encode(new Value(query.get(i).getKey(), Encoding.STRICT), QUERY_ALLOWED))
                    .append('=').append(encode(query.get(i).getValue(), QUERY_ALLOWED));
        }
        return target.toString();
    }

    /** Every way to make this request a little simpler, for shrinking. */
    List<FuzzRequest> smaller() {
        List<FuzzRequest> smaller = new ArrayList<>();
        for (Body body : body.smaller()) {
            smaller.add(new FuzzRequest(operation, method, pathValues, query, contentType, headers, body));
        }
        if (!headers.isEmpty()) {
            smaller.add(new FuzzRequest(operation, method, pathValues, query, contentType, Map.of(), body));
        }
        for (int i = 0; i < query.size(); i++) {
            List<Map.Entry<String, Value>> without = new ArrayList<>(query);
            without.remove(i);
            smaller.add(new FuzzRequest(operation, method, pathValues, without, contentType, headers, body));
        }
        for (Map.Entry<String, Value> value : pathValues.entrySet()) {
            String text = value.getValue().text();
            if (text.length() > 1) {
                Map<String, Value> changed = new LinkedHashMap<>(pathValues);
                changed.put(value.getKey(), new Value(text.substring(0, text.length() / 2), value.getValue().encoding()));
                smaller.add(new FuzzRequest(operation, method, changed, query, contentType, headers, body));
            }
        }
        return smaller;
    }

    /** The request as a reader of a failure report wants it: method, target, type and (the start of) the body. */
    String describe() {
        byte[] bytes = body.bytes();
        String shown = bytes == null ? "no body" : bytes.length + " bytes: " + abbreviate(new String(bytes, StandardCharsets.UTF_8));
        return method + " " + abbreviate(target()) + " [" + contentType + "]" + (headers.isEmpty() ? "" : " " + headers) + " " + shown
                + " (from " + operation + ")";
    }

    private static String abbreviate(String text) {
        String printable = text.codePoints().map(c -> Character.isISOControl(c) ? '·' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= 300 ? printable : printable.substring(0, 300) + "…(" + printable.length() + " chars)";
    }

    /** RFC 3986 pchar and query characters that may stand as they are (besides unreserved and %XX). */
    private static final String PATH_ALLOWED = "!$&'()*+,;=:@/";
    private static final String QUERY_ALLOWED = "!$'()*,;:@/?";

    private static String encode(Value value, String allowed) {
        return switch (value.encoding()) {
            case STRICT -> strict(value.text());
            case DOUBLE -> strict(value.text()).replace("%", "%25");
            case RAW -> legal(value.text(), allowed) ? value.text() : strict(value.text());
        };
    }

    private static String strict(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** Whether the text may stand in a URL as it is: a java.net.URI accepts it, as Quarkus' HTTP layer requires. */
    private static boolean legal(String text, String allowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean plain = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0 || allowed.indexOf(c) >= 0);
            boolean escape = c == '%' && hex(text, i + 1) && hex(text, i + 2);
            if (!plain && !escape) {
                return false;
            }
        }
        try {
            new URI("/x/" + text);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean hex(String text, int at) {
        return at < text.length() && Character.digit(text.charAt(at), 16) >= 0;
    }
}
