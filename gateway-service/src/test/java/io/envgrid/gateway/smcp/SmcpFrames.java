package io.envgrid.gateway.smcp;

import static io.envgrid.testsupport.fuzz.Gen.weight;

import io.envgrid.testsupport.fuzz.Gen;
import java.util.List;

/**
 * Generators of hostile Engine.IO / Socket.IO frames for {@link SmcpFuzzIT}: Engine.IO packets of every type and
 * none, binary ones, Socket.IO packets of every type (the binary ones included) with odd namespaces, ack ids and
 * data, and the SMCP events with payloads of wrong types, huge, empty, deeply nested, unicode and control characters
 * and numbers at their limits. Frames over the payload bound come up too, so that the bound is hit.
 */
final class SmcpFrames {

    /** The payload bound of the replica under test: a frame this long or longer must close its connection. */
    private final int maxPayload;

    SmcpFrames(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    private static final List<String> EVENTS = List.of("server:join_office", "server:leave_office", "server:list_room",
            "server:tool_call_cancel", "server:update_config", "server:update_tool_list", "server:update_desktop",
            "client:tool_call", "client:get_tools", "client:get_config", "client:get_mcp_config", "client:get_blob",
            "no:such_event", "");

    private static final Gen<String> SCALARS = Gen.oneOf(
            Gen.of("null", "true", "false", "0", "-0", "-1", "1e300", "-1e300", "1e-300", "9223372036854775808",
                    "123456789012345678901234567890", "0.5", "\"\"", "\"agent\"", "\"computer\"", "\"office-fuzz\"",
                    "\"../../etc/passwd\"", "\"\\u0000\\u001e\\ud800\"", "\"\\u202e\\ufeff\""),
            Gen.anyStrings(40).map(SmcpFrames::quoted),
            Gen.ints(-1000, 1000).map(String::valueOf));

    private static final Gen<String> JSON = random -> json(random, 0);

    private static String json(java.util.SplittableRandom random, int depth) {
        int pick = random.nextInt(depth > 3 ? 1 : 4);
        if (pick == 0) {
            return SCALARS.next(random);
        }
        if (pick == 1) {
            StringBuilder array = new StringBuilder("[");
            for (int i = random.nextInt(4); i > 0; i--) {
                array.append(json(random, depth + 1)).append(i > 1 ? "," : "");
            }
            return array.append(']').toString();
        }
        if (pick == 2) {
            // a deep nest: the parser's depth bound, not the server's stack, must give way
            int levels = random.nextInt(1, 1200);
            return "[".repeat(levels) + "]".repeat(levels);
        }
        StringBuilder object = new StringBuilder("{");
        String[] keys = {"role", "name", "office_id", "computer", "agent", "req_id", "timeout", "tool_name", "params",
            "robot_id", "token", "x"};
        for (int i = random.nextInt(5); i > 0; i--) {
            object.append('"').append(keys[random.nextInt(keys.length)]).append("\":").append(json(random, depth + 1))
                    .append(i > 1 ? "," : "");
        }
        return object.append('}').toString();
    }

    private static String quoted(String raw) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : raw.toCharArray()) {
            if (c == '"' || c == '\\' || c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A Socket.IO packet's text: any type digit, a namespace or none, an ack id or none, then data or junk. */
    private static final Gen<String> SOCKET_IO = random -> {
        StringBuilder packet = new StringBuilder().append((char) ('0' + random.nextInt(10)));
        if (random.nextInt(3) > 0) {
            packet.append(Gen.of("/smcp,", "/", "/other,", "/smcp", "/smcp,,", "//,").next(random));
        }
        if (random.nextBoolean()) {
            packet.append(Gen.of("0", "1", "99999999999999999999999", "-1").next(random));
        }
        if (random.nextInt(4) > 0) {
            packet.append(random.nextBoolean() ? event(random) : JSON.next(random));
        } else {
            packet.append(Gen.anyStrings(30).next(random));
        }
        return packet.toString();
    };

    private static String event(java.util.SplittableRandom random) {
        StringBuilder args = new StringBuilder("[").append(quoted(EVENTS.get(random.nextInt(EVENTS.size()))));
        for (int i = random.nextInt(3); i > 0; i--) {
            args.append(',').append(JSON.next(random));
        }
        return args.append(']').toString();
    }

    /** One Engine.IO frame: a MESSAGE carrying a Socket.IO packet mostly; other types, binary, empty and huge too. */
    Gen<String> frames() {
        return Gen.frequency(
                weight(10, SOCKET_IO.map(p -> "4" + p)),
                weight(2, Gen.of("2", "3", "5", "6", "0", "1x", "2probe", "7", "", "4")),
                weight(2, Gen.anyStrings(30)),
                weight(1, Gen.strings("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", 0, 40).map(b -> "b" + b)),
                weight(1, Gen.ints(maxPayload + 1, maxPayload + 500).map(n -> "4" + "x".repeat(n))));
    }

    /** True when a frame is over the payload bound (its connection must then be closed). */
    boolean oversized(String frame) {
        return frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxPayload;
    }
}
