package io.envgrid.rag.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.rag.api.Api;
import io.envgrid.rag.fuzz.FuzzRequest.Encoding;
import io.envgrid.rag.fuzz.FuzzRequest.Value;
import io.envgrid.rag.fuzz.Json.Member;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests for an OpenAPI operation: every parameter and body field generated from its schema (type,
 * enum, pattern, lengths, ranges, required), mostly valid so that requests reach deep into the service,
 * the rest hostile (values past each limit, empty, huge, wrongly typed, deeply nested, control and unusual
 * Unicode characters, path traversal, numbers at and past their limits) and now and then the whole request
 * wrong (body, media type, method). Valid collection names and ids come mostly from small pools, so that
 * requests meet documents that earlier requests wrote. Deterministic for a given seed.
 */
final class Generator {

    /** Collections the fuzz run works in (seeded with documents before it starts). */
    static final List<String> COLLECTIONS = List.of("fuzz-a", "fuzz-b", "fuzz-c");
    static final List<String> IDS = List.of("d1", "d2", "d3", "d4", "d5", "d6");
    /** Longest request target generated: Quarkus takes request lines of up to 16 KiB (application.properties). */
    static final int MAX_TARGET = 15_000;

    private static final List<String> WORDS = List.of("volcano", "lava", "glacier", "ice", "owl", "night", "tide", "moon",
            "sugar", "water", "fire", "wing", "flutter", "shock", "wave", "pressure", "drag", "pump", "harbour", "crane",
            "the", "of", "and", "quick", "brown", "fox", "2001", "x86", "水", "火山", "東京", "检索", "naïve", "café", "Ελληνικά",
            "русский", "עברית", "العربية", "😀", "ﬁne");
    private static final List<String> METADATA_KEYS = List.of("topic", "year", "lang", "k", "a.b", "x_y", "Z-9");
    private static final List<String> OTHER_TYPES = List.of("application/pdf", "text/html", "application/xml", "application/json",
            "text/plain", "application/x-ndjson", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*", "",
            "garbage", "application/json; charset=utf-16", "text/markdown; charset=latin1");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");
    private static final Pattern SIMPLE_PATTERN = Pattern.compile("\\[([^\\]]+)\\]\\[([^\\]]+)\\]\\{(\\d+),(\\d+)\\}");

    /** Strings that have broken services somewhere: separators, traversal, escapes, Unicode oddities, sizes. */
    private static final List<String> HOSTILE_STRINGS;
    /** Whole bodies that are not the JSON an endpoint takes. */
    private static final List<String> HOSTILE_BODIES;

    static {
        List<String> strings = new ArrayList<>(List.of("", " ", "\t\n\r", "\u0000", "a\u0000b", "\u0001\u001f\u007f", "\u0085\u2028\u2029",
                "../x", "..", ".", "./.", "a/b", "/", "//", "%2e%2e", "%2F", "..%2F..%2Fetc%2Fpasswd", "..\\x", "a\\b", "C:\\x",
                "/etc/passwd", "~", "a:b", "a%b", "%", "%zz", "%00", "a?b", "a#b", "a&b=c", "UPPER", "-lead", "_lead", ".hidden",
                "é", "e\u0301", "\uFEFFbom", "\u202Eevil", "😀", "\uD800", "\uDC00x", "\uD83D", "ﷺ", "Ωmega", "null", "true", "0",
                "-1", "NaN", "Infinity", "1e400", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x/y}", "%n%s%x",
                "{{7*7}}", "*:*", "title:wing AND", "\"", "\\", "{\"a\":1}", "[1]", "x".repeat(65), "x".repeat(201),
                "x".repeat(1001), "x".repeat(2001), "x".repeat(32_767), "é".repeat(20_000), "a ".repeat(999)));
        HOSTILE_STRINGS = Collections.unmodifiableList(strings);
        List<String> bodies = new ArrayList<>(List.of("", " ", "null", "[]", "[1,2]", "\"str\"", "42", "true", "{", "}", "{}",
                "{\"query\":", "{\"query\":\"x\"", "{\"query\":\"x\",}", "{'query':'x'}", "{\"query\":NaN}",
                "{\"query\":\"x\"} trailing", "\uFEFF{\"query\":\"x\"}", "{\"text\":\"t\",\"text\":{}}", "\u0000",
                "{\"a\":1}{\"a\":2}"));
        for (int depth : List.of(10, 999, 1001, 3000)) {
            bodies.add("{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
            bodies.add("[".repeat(depth) + "]".repeat(depth));
        }
        HOSTILE_BODIES = Collections.unmodifiableList(bodies);
    }

    private final Random random;
    private final OpenApi api;

    Generator(long seed, OpenApi api) {
        this.random = new Random(seed);
        this.api = api;
    }

    FuzzRequest next(OpenApi.Operation operation) {
        for (int attempt = 0; ; attempt++) {
            FuzzRequest request = attempt < 5 ? generate(operation) : safe(generate(operation));
            if (request.target().length() <= MAX_TARGET) {
                return request;
            }
        }
    }

    private FuzzRequest generate(OpenApi.Operation operation) {
        Map<String, Value> pathValues = new LinkedHashMap<>();
        List<Map.Entry<String, Value>> query = new ArrayList<>();
        for (OpenApi.Parameter parameter : operation.parameters()) {
            if (parameter.in().equals("path")) {
                pathValues.put(parameter.name(), new Value(urlString(parameter.name(), parameter.schema()), encoding()));
            } else if (parameter.in().equals("query") && (chance(0.85) || parameter.required())) {
                query.add(Map.entry(parameter.name(), new Value(urlString(parameter.name(), parameter.schema()), encoding())));
            }
        }
        if (chance(0.05)) {
            query.add(Map.entry(pick(List.of("x", "top_k", "collection", "id", "")), new Value(pick(HOSTILE_STRINGS), encoding())));
        }
        String method = chance(0.03) ? pick(METHODS) : operation.method();
        FuzzRequest.Body body = operation.mediaType() == null
                ? (chance(0.08) ? new FuzzRequest.Text(pick(HOSTILE_BODIES)) : new FuzzRequest.NoBody())
                : body(operation);
        String contentType;
        if (operation.mediaType() == null) {
            contentType = body instanceof FuzzRequest.NoBody ? null : pick(OTHER_TYPES);
        } else {
            contentType = chance(0.85) ? operation.mediaType() + (chance(0.1) ? "; charset=UTF-8" : "") : pick(OTHER_TYPES);
        }
        return new FuzzRequest(operation, method, pathValues, query, contentType, headers(), body);
    }

    /** Credentials other than the service token: none that may write (the fuzz run has no allocator to check leases with). */
    private static final List<String> WRONG_AUTHORIZATIONS = List.of("Bearer wrong-token", "Bearer ", "Bearer", "bearer " + Api.SERVICE_TOKEN,
            "Basic dGVzdDp0ZXN0", "Bearer " + Api.SERVICE_TOKEN + " ", "Bearer  " + Api.SERVICE_TOKEN, "Bearer " + Api.SERVICE_TOKEN + "x",
            "Bearer " + "x".repeat(8_000), "Bearer é", "");
    private static final List<String> LEASE_TOKENS = List.of("elt_AAAAAAAAAAAAAAAAAAAAAA", "elt_abcdefghij-_klmnopqrst", "elt_short", "",
            "elt_AAAAAAAAAAAAAAAAAAAAAAA", "ELT_AAAAAAAAAAAAAAAAAAAAAA", "elt_AAAAAAAAAAAAAAAAAAAA%2F", "elt_" + "A".repeat(8_000),
            "elt_ééééééééééééééééééééé", Api.SERVICE_TOKEN);

    /**
     * The credentials (mostly the service token, so that requests reach the service's depths; else none, a wrong
     * bearer, or a lease token) and now and then a header the service may read: what it should answer in, how the body
     * is encoded.
     */
    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        double credential = random.nextDouble();
        if (credential < 0.8) {
            headers.put("Authorization", "Bearer " + Api.SERVICE_TOKEN);
        } else if (credential < 0.88) {
            headers.put("Authorization", pick(WRONG_AUTHORIZATIONS));
        }
        if (chance(0.06)) {
            headers.put(FuzzRequest.LEASE_TOKEN, pick(LEASE_TOKENS));
        }
        if (chance(0.05)) {
            headers.put("Accept", pick(List.of("application/xml", "garbage", "*/*", "text/plain", "application/json;q=abc", "application/*",
                    "*/*;q=2", "text/html, application/json;q=0.1")));
        }
        if (chance(0.02)) {
            headers.put(pick(List.of("Content-Encoding", "Accept-Encoding", "Accept-Charset", "Expect")),
                    pick(List.of("gzip", "deflate", "garbage", "utf-16", "100-continue")));
        }
        return headers;
    }

    /** The same request with every URL value from the pools, strictly encoded: always a short target. */
    private FuzzRequest safe(FuzzRequest request) {
        Map<String, Value> pathValues = new LinkedHashMap<>();
        request.pathValues().forEach((name, value) -> pathValues.put(name, new Value(pooled(name), Encoding.STRICT)));
        return new FuzzRequest(request.operation(), request.method(), pathValues, List.of(), request.contentType(), request.headers(),
                request.body());
    }

    private FuzzRequest.Body body(OpenApi.Operation operation) {
        String type = operation.mediaType();
        if (type.contains("ndjson") || type.contains("jsonl")) {
            return lines(operation.bodySchema());
        }
        if (type.startsWith("text/")) {
            if (chance(0.7)) {
                String text = text();
                return new FuzzRequest.Text(type.contains("markdown") && chance(0.5) ? "# " + words(1, 5) + "\n" + text : text);
            }
            return new FuzzRequest.Text(hostileString());
        }
        double roll = random.nextDouble();
        if (roll < 0.82) {
            return new FuzzRequest.JsonBody(object(operation.bodySchema()));
        }
        if (roll < 0.97) {
            return new FuzzRequest.JsonBody(new Json.Raw(pick(HOSTILE_BODIES)));
        }
        // Not UTF-8: a lone continuation byte, an overlong encoding, a truncated sequence.
        return new FuzzRequest.Bytes(pick(List.of(new byte[] {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0x80, '"', '}'},
                new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {'{', '"', (byte) 0xE2, (byte) 0x82})));
    }

    private FuzzRequest.Body lines(JsonNode schema) {
        String separator = pick(List.of("\n", "\n", "\n", "\r\n", "\n\n"));
        List<Json> lines = new ArrayList<>();
        if (chance(0.02)) {
            // Just past the batch limit (5,000): refused before anything is embedded.
            int count = 5001 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                lines.add(new Json.Raw("{\"id\":\"b" + i + "\",\"text\":\"t\"}"));
            }
            return new FuzzRequest.Lines(lines, separator);
        }
        int count = 1 + random.nextInt(chance(0.8) ? 3 : 6);
        for (int i = 0; i < count; i++) {
            lines.add(chance(0.88) ? object(schema) : new Json.Raw(pick(HOSTILE_BODIES)));
        }
        return new FuzzRequest.Lines(lines, separator);
    }

    /**
     * An object from a schema's properties. Mostly one fault at a time: every field valid (required ones
     * and ids always there, the rest often) but one, which is hostile, of another type or missing, so that
     * a request gets past the checks of its other fields to where a fault in that one would do harm. The
     * rest of the time every field is drawn independently.
     */
    private Json object(JsonNode schema) {
        JsonNode resolved = api.resolve(schema);
        Set<String> required = new HashSet<>();
        resolved.path("required").forEach(name -> required.add(name.asText()));
        List<String> names = new ArrayList<>();
        resolved.path("properties").fieldNames().forEachRemaining(names::add);
        boolean oneFault = chance(0.7);
        String faulty = oneFault && !names.isEmpty() && chance(0.85) ? pick(names) : null;
        List<Member> members = new ArrayList<>();
        for (String name : names) {
            JsonNode property = api.resolve(resolved.path("properties").path(name));
            // An id, like the required text, belongs in nearly every document line.
            boolean expected = required.contains(name) || name.equals("id");
            if (name.equals(faulty)) {
                double roll = random.nextDouble();
                if (roll < 0.7) {
                    members.add(new Member(name, hostile(name, property)));
                } else if (roll < 0.85) {
                    members.add(new Member(name, wrongType()));
                }
            } else if (oneFault) {
                if (expected || chance(0.6)) {
                    members.add(new Member(name, valid(name, property)));
                }
            } else if (expected ? chance(0.93) : chance(0.6)) {
                members.add(new Member(name, value(name, property)));
            }
        }
        if (chance(0.15)) {
            Collections.shuffle(members, random);
        }
        if (chance(0.04)) {
            members.add(new Member(pick(List.of("unknown", "Query", "topK", "")), wrongType()));
        }
        if (chance(0.03) && !members.isEmpty()) {
            Member twice = pick(members);
            members.add(new Member(twice.key(), value(twice.key(), api.resolve(resolved.path("properties").path(twice.key())))));
        }
        return new Json.Obj(members);
    }

    /** A value for a field: usually valid for its schema, sometimes hostile for its type, sometimes another type. */
    private Json value(String name, JsonNode schema) {
        double roll = random.nextDouble();
        if (roll < 0.62) {
            return valid(name, schema);
        }
        if (roll < 0.9) {
            return hostile(name, schema);
        }
        return wrongType();
    }

    private Json valid(String name, JsonNode schema) {
        switch (schema.path("type").asText("")) {
            case "string":
                return new Json.Str(validString(name, schema));
            case "integer":
                return new Json.Num(Long.toString(between(schema.path("minimum").asLong(0), schema.path("maximum").asLong(1000))));
            case "number":
                return new Json.Num(Double.toString(random.nextDouble() * 100));
            case "boolean":
                return new Json.Bool(random.nextBoolean());
            case "object":
                return schema.has("properties") ? object(schema) : map(schema);
            case "array":
                List<Json> items = new ArrayList<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    items.add(valid(name, api.resolve(schema.path("items"))));
                }
                return new Json.Arr(items);
            default:
                return scalar();
        }
    }

    private Json hostile(String name, JsonNode schema) {
        String type = schema.path("type").asText("");
        if (type.equals("integer") || type.equals("number")) {
            return hostileNumber(schema);
        }
        if (type.equals("object")) {
            return schema.has("properties") ? new Json.Raw(pick(HOSTILE_BODIES.subList(5, HOSTILE_BODIES.size()))) : hostileMap(schema);
        }
        if (name.equals("query") && chance(0.5)) {
            return new Json.Str(manyTermQuery());
        }
        if (chance(0.3)) {
            String boundary = boundaryString(schema);
            if (boundary != null) {
                return new Json.Str(boundary);
            }
        }
        return new Json.Str(hostileString());
    }

    private Json wrongType() {
        return switch (random.nextInt(9)) {
            case 0 -> new Json.Null();
            case 1 -> new Json.Bool(random.nextBoolean());
            case 2 -> new Json.Num(pick(List.of("42", "-1", "2.5", "1e400")));
            case 3 -> new Json.Str("str");
            case 4 -> new Json.Arr(List.of(new Json.Num("1"), new Json.Str("a")));
            case 5 -> new Json.Obj(List.of());
            case 6 -> new Json.Obj(List.of(new Member("a", new Json.Obj(List.of(new Member("b", new Json.Num("1")))))));
            case 7 -> new Json.Raw("[".repeat(2000) + "]".repeat(2000));
            default -> new Json.Raw(pick(List.of("NaN", "Infinity", "-Infinity", "0x10", "007", "+1", ".5", "1.", "undefined")));
        };
    }

    private String validString(String name, JsonNode schema) {
        String value;
        if (schema.has("enum")) {
            value = schema.get("enum").get(random.nextInt(schema.get("enum").size())).asText();
            value = chance(0.1) ? value.toUpperCase(Locale.ROOT) : value;
        } else if (name.equals("query")) {
            value = chance(0.2) ? manyTermQuery() : words(1, 6);
        } else if (name.equals("text")) {
            value = text();
        } else if (name.equals("collection") || name.equals("name")) {
            value = chance(0.85) ? pick(COLLECTIONS) : fromPattern(schema.path("pattern").asText(""));
        } else if (name.equals("id")) {
            value = chance(0.8) ? pick(IDS) : fromPattern(schema.path("pattern").asText(""));
        } else if (schema.has("pattern")) {
            value = fromPattern(schema.get("pattern").asText());
        } else {
            value = words(1, 5);
        }
        int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return value.length() > max ? value.substring(0, max) : value;
    }

    /** A value just inside or just past a string's length limits; null when the schema has none worth trying. */
    private String boundaryString(JsonNode schema) {
        if (schema.has("maxLength") && chance(0.7)) {
            int max = schema.get("maxLength").asInt();
            // Exactly the maximum only when small (a million characters of valid text would be embedded).
            if (max <= 5000 && chance(0.4)) {
                return "w".repeat(max);
            }
            return max < 2_000_000 ? "w".repeat(max + 1) : null;
        }
        if (schema.has("minLength")) {
            return "w".repeat(Math.max(0, schema.get("minLength").asInt() - 1));
        }
        return null;
    }

    private Json hostileNumber(JsonNode schema) {
        List<String> literals = new ArrayList<>(List.of("0", "-1", "1", "2147483647", "-2147483648", "2147483648", "9223372036854775807",
                "-9223372036854775808", "99999999999999999999999999999", "1e20", "-1e20", "1e308", "1e400", "-1e400", "2.5", "-0.0",
                "0.0", "1.0", "1e-400", "5E0"));
        if (schema.has("minimum")) {
            literals.add(Long.toString(schema.get("minimum").asLong() - 1));
            literals.add(schema.get("minimum").asText());
        }
        if (schema.has("maximum")) {
            literals.add(Long.toString(schema.get("maximum").asLong() + 1));
            literals.add(schema.get("maximum").asText());
        }
        return chance(0.85) ? new Json.Num(pick(literals)) : new Json.Raw(pick(List.of("NaN", "Infinity", "-Infinity", "0x10", "007", "+1", ".5", "1.")));
    }

    /** Metadata or filters: a few scalar entries, sometimes the most allowed, one more, or a thousand. */
    private Json map(JsonNode schema) {
        int max = schema.path("maxProperties").asInt(16);
        int count = chance(0.9) ? random.nextInt(4) : pick(List.of(max, max + 1, 1100));
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = count > 4 ? "k" + i : pick(METADATA_KEYS);
            members.add(new Member(key, key.equals("year") ? new Json.Num(pick(List.of("2001", "2002"))) : scalar()));
        }
        return new Json.Obj(members);
    }

    private Json hostileMap(JsonNode schema) {
        List<Member> members = new ArrayList<>();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            String key = chance(0.5) ? pick(METADATA_KEYS) : truncate(pick(HOSTILE_STRINGS), 100);
            Json value = chance(0.3) ? new Json.Str(pick(METADATA_KEYS)) : switch (random.nextInt(7)) {
                case 0 -> new Json.Null();
                case 1 -> new Json.Arr(List.of(new Json.Num("1")));
                case 2 -> new Json.Obj(List.of(new Member("nested", new Json.Num("1"))));
                case 3 -> new Json.Str("v".repeat(pick(List.of(1001, 40_000))));
                case 4 -> new Json.Num(pick(List.of("1e400", "-1e400", "99999999999999999999999999999", "-0.0")));
                case 5 -> new Json.Raw(pick(List.of("NaN", "Infinity")));
                default -> new Json.Str(pick(HOSTILE_STRINGS));
            };
            members.add(new Member(key, value));
        }
        return new Json.Obj(members);
    }

    private Json scalar() {
        return switch (random.nextInt(4)) {
            case 0 -> new Json.Str(pick(List.of("geology", "biology", "oceans")));
            case 1 -> new Json.Num(Integer.toString(random.nextInt(3000)));
            case 2 -> new Json.Bool(random.nextBoolean());
            default -> new Json.Str(words(1, 2));
        };
    }

    /** A path or query value: from the pools, generated from the schema, or hostile. */
    private String urlString(String name, JsonNode schema) {
        double roll = random.nextDouble();
        if (roll < 0.62) {
            return pooled(name);
        }
        if (roll < 0.74) {
            return name.equals("title") ? words(1, 6) : fromPattern(schema.path("pattern").asText(""));
        }
        if (chance(0.2)) {
            String boundary = boundaryString(schema);
            if (boundary != null && boundary.length() < 5000) {
                return boundary;
            }
        }
        return hostileString();
    }

    private String pooled(String name) {
        return switch (name) {
            case "name", "collection" -> pick(COLLECTIONS);
            case "id" -> pick(IDS);
            default -> words(1, 4);
        };
    }

    private Encoding encoding() {
        double roll = random.nextDouble();
        return roll < 0.8 ? Encoding.STRICT : roll < 0.95 ? Encoding.RAW : Encoding.DOUBLE;
    }

    /**
     * A string matching a pattern of the form {@code [first][rest]{m,n}}, the shape of the service's id and
     * name rules; at least six characters (so it is unlike the names other tests use) and now and then the
     * longest allowed. Anything else: letters and digits.
     */
    private String fromPattern(String pattern) {
        Matcher simple = SIMPLE_PATTERN.matcher(pattern);
        if (!simple.matches()) {
            return "v" + Integer.toString(random.nextInt(1 << 20), 36);
        }
        List<Character> first = characters(simple.group(1));
        List<Character> rest = characters(simple.group(2));
        int max = Integer.parseInt(simple.group(4));
        int length = chance(0.1) ? max : Math.min(max, 5 + random.nextInt(8));
        StringBuilder out = new StringBuilder().append(pick(first));
        for (int i = 0; i < length; i++) {
            out.append(pick(rest));
        }
        return out.toString();
    }

    private static List<Character> characters(String characterClass) {
        List<Character> characters = new ArrayList<>();
        for (int i = 0; i < characterClass.length(); i++) {
            char c = characterClass.charAt(i);
            if (i + 2 < characterClass.length() && characterClass.charAt(i + 1) == '-') {
                for (char r = c; r <= characterClass.charAt(i + 2); r++) {
                    characters.add(r);
                }
                i += 2;
            } else {
                characters.add(c);
            }
        }
        return characters;
    }

    /**
     * A query of many analysed terms, up to the 2,000-character limit: over a thousand CJK ideographs (one
     * term each), a thousand single letters, one term a thousand times.
     */
    private String manyTermQuery() {
        StringBuilder out = new StringBuilder();
        int variant = random.nextInt(20);
        switch (variant < 6 ? 0 : variant < 12 ? 1 : variant < 15 ? 2 : variant < 17 ? 3 : 4) {
            case 0 -> {
                for (int i = 0; i < 1100; i++) {
                    out.appendCodePoint(0x4e00 + i);
                }
            }
            case 1 -> {
                for (int i = 0; i < 1500 + random.nextInt(501); i++) {
                    out.appendCodePoint(0x4e00 + random.nextInt(3000));
                }
            }
            case 2 -> {
                for (int i = 0; i < 1000; i++) {
                    out.append((char) ('b' + random.nextInt(25))).append(' ');
                }
            }
            case 3 -> out.append("水 ".repeat(999));
            default -> {
                while (out.length() < 1990) {
                    out.append(pick(WORDS)).append(random.nextInt(100)).append(' ');
                }
            }
        }
        return truncate(out.toString().strip(), 2000);
    }

    private String hostileString() {
        // A string past a document's text limit, now and then: big, but refused before it is chunked.
        return chance(0.01) ? "w ".repeat(500_001) : pick(HOSTILE_STRINGS);
    }

    private String text() {
        return chance(0.04) ? words(250, 700) : words(1, 60);
    }

    private String words(int min, int max) {
        int count = min + random.nextInt(max - min + 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : " ").append(pick(WORDS));
        }
        return out.toString();
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private long between(long min, long max) {
        return min + (long) (random.nextDouble() * (max - min + 1));
    }

    private boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
