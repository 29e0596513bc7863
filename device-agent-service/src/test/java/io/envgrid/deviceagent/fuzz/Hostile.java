package io.envgrid.deviceagent.fuzz;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile values drawn from the fuzz run's seeded {@link Gen} (so a seed replays a run):
 * strings (empty, huge, unicode, unpaired surrogates, control characters, path traversal, percent-encodings),
 * numbers at their limits, JSON values of every type and depth.
 */
final class Hostile {

    /** Fixed strings that broke or could break services: traversal, encodings, ids at the edge of the id rule. */
    static final List<String> NASTY = List.of("", " ", "\t", "\n", "\r\n", ".", "..", "../", "../../../../etc/passwd",
            "..\\..\\windows", "/etc/passwd", "/", "//", "~", "~/", "~root/.ssh/id_rsa", "%2F", "a%2Fb", "..%2F..%2Fetc",
            "%2e%2e%2f", "%00", "%", "%zz", "a/../b", "./a", ".hidden", "a\u0000b", "\u0000", "\ud800", "x\udc00y",
            "\ud83d\ude00", "\u202e\u202d", "\ufeff", "\uffff", "e\u0301", "null", "true", "0", "-1", "NaN", "{}",
            "[]", "'; DROP TABLE x; --", "$(id)", "`id`", "${jndi:ldap://x}", "<script>", "A".repeat(200),
            "A".repeat(201), "a:b@c.d/e-f_g", "device_", "mcp://test-devices/devices", "elt_AAAAAAAAAAAAAAAAAAAAAA");

    /** Numbers at their limits, as JSON number literals (some beyond what a double or a long can hold). */
    static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "1e309", "-1e309", "4.9e-324",
            "1e-400", "0.5", "1" + "0".repeat(400), "3.14e99999", "1.0", "-0.0");

    private final Gen gen;

    Hostile(Gen gen) {
        this.gen = gen;
    }

    Random random() {
        return gen.random();
    }

    boolean chance(double p) {
        return gen.chance(p);
    }

    <T> T pick(List<T> values) {
        return gen.pick(values);
    }

    /**
     * A hostile string: one of the fixed ones, any chars (unpaired surrogates and NUL included, up to 40), control
     * characters (1 to 8), non-ASCII (up to 20), or huge.
     */
    String string() {
        return switch (random().nextInt(6)) {
            case 0, 1 -> pick(NASTY);
            case 2 -> gen.string('\u0000', '\uffff', 0, 40);
            case 3 -> gen.string('\u0000', '\u001f', 1, 8, '\u007f');
            case 4 -> gen.string('\u0080', '\uffff', 0, 20);
            default -> huge();
        };
    }

    /**
     * A header value HTTP allows: a hostile {@link #string()} without control characters other than tab (Vert.x's codec
     * refuses them before any route: DeviceAgentFuzzTest's TRANSPORT cases) and at most 2 K characters (Vert.x refuses a
     * longer header block with 431 before any application code runs).
     */
    String headerValue() {
        String value = string().replaceAll("[\\x00-\\x08\\x0a-\\x1f\\x7f]", "");
        return value.length() > 2048 ? value.substring(0, 2048) : value;
    }

    /** {@code n} random bytes. */
    byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        random().nextBytes(bytes);
        return bytes;
    }

    /** 10 k, 100 k or 300 k characters (bodies stay under the 1 MB limit unless made huge on purpose). */
    String huge() {
        int length = pick(List.of(10_000, 100_000, 300_000));
        return (chance(0.5) ? "A" : "\u00e9").repeat(length);
    }

    /** A JSON number literal: a limit, any long, or a finite double of any magnitude. */
    String numberLiteral() {
        return switch (random().nextInt(3)) {
            case 0 -> pick(NUMBERS);
            case 1 -> String.valueOf(gen.anyLong());
            default -> String.valueOf(gen.anyDouble());
        };
    }

    /** A JSON value of any type, up to {@code depth} levels; numbers as exact values (BigDecimal) so limits survive. */
    Object json(int depth) {
        int kind = random().nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random().nextBoolean();
            case 2 -> new BigDecimal(numberLiteral().replace("-0.0", "0"));
            case 3, 4 -> string();
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random().nextInt(4); i > 0; i--) {
                    list.add(json(depth - 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random().nextInt(4); i > 0; i--) {
                    map.put(chance(0.5) ? string() : "k" + i, json(depth - 1));
                }
                yield map;
            }
        };
    }

    /** Raw text that is not JSON, or JSON nested far deeper than any parser should follow. */
    String brokenJson() {
        return switch (random().nextInt(8)) {
            case 0 -> "{";
            case 1 -> "{\"a\":}";
            case 2 -> "[".repeat(100_000);
            case 3 -> "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
            case 4 -> "{\"a\":1,}";
            case 5 -> "\u0000";
            case 6 -> "{\"device_id\": " + pick(NUMBERS) + "}";
            default -> "{'single': 'quotes'}";
        };
    }

    /** Bytes that are not valid UTF-8 inside a JSON string (a lone continuation byte, an encoded surrogate). */
    byte[] invalidUtf8Json() {
        byte[] prefix = "{\"device_id\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] bad = pick(List.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xc0, (byte) 0xaf}));
        byte[] suffix = "\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + bad.length + suffix.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(bad, 0, all, prefix.length, bad.length);
        System.arraycopy(suffix, 0, all, prefix.length + bad.length, suffix.length);
        return all;
    }

    /** A value of the wrong JSON type for {@code type} (an object where a string belongs, and so on). */
    Object wrongType(String type) {
        List<Object> candidates = new ArrayList<>(List.of(Map.of("x", 1), List.of(1, "a"), true,
                new BigInteger("9".repeat(30)), "a string"));
        candidates.removeIf(v -> switch (type == null ? "" : type) {
            case "string" -> v instanceof String;
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "boolean" -> v instanceof Boolean;
            case "integer", "number" -> v instanceof BigInteger;
            default -> false;
        });
        candidates.add(null);
        return pick(candidates);
    }
}
