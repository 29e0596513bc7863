package io.envgrid.rag.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A generated JSON value, kept as a tree so that a failing request can be shrunk, and written out only when
 * it is sent. {@link Raw} is text that is deliberately not (or not only) a JSON value: {@code NaN}, a
 * truncated object, nesting a thousand levels deep.
 */
sealed interface Json {

    /** The JSON text. Control characters and lone surrogates are written as {@code \\uXXXX} escapes. */
    String render();

    /** Smaller variants of this value, simplest first, for shrinking a failing request; none for a leaf. */
    default List<Json> smaller() {
        return List.of();
    }

    /** A value written out as it is held. */
    sealed interface Verbatim extends Json {
        String text();

        @Override
        default String render() {
            return text();
        }
    }

    record Str(String value) implements Json {
        @Override
        public String render() {
            return quote(value);
        }

        @Override
        public List<Json> smaller() {
            if (value.isEmpty()) {
                return List.of();
            }
            List<Json> smaller = new ArrayList<>();
            if (value.length() > 1) {
                smaller.add(new Str(value.substring(0, value.length() / 2)));
                smaller.add(new Str(value.substring(value.length() / 2)));
            }
            if (!value.equals("a")) {
                smaller.add(new Str("a"));
            }
            return smaller;
        }
    }

    /** A number as written, which may be out of any range ({@code 1e400}) or of the wrong kind ({@code 2.5}). */
    record Num(String text) implements Verbatim {
        @Override
        public List<Json> smaller() {
            return text.equals("0") ? List.of() : List.of(new Num("0"));
        }
    }

    record Bool(boolean value) implements Json {
        @Override
        public String render() {
            return Boolean.toString(value);
        }
    }

    record Null() implements Json {
        @Override
        public String render() {
            return "null";
        }
    }

    record Arr(List<Json> items) implements Json {
        @Override
        public String render() {
            return items.stream().map(Json::render).collect(Collectors.joining(",", "[", "]"));
        }

        @Override
        public List<Json> smaller() {
            return shorter(items, 1, 4).stream().<Json>map(Arr::new).toList();
        }
    }

    /** An object as written: members in order, a key may appear twice. */
    record Obj(List<Member> members) implements Json {
        @Override
        public String render() {
            return members.stream().map(m -> quote(m.key()) + ":" + m.value().render()).collect(Collectors.joining(",", "{", "}"));
        }

        @Override
        public List<Json> smaller() {
            List<Json> smaller = new ArrayList<>(shorter(members, 8, 8).stream().map(Obj::new).toList());
            for (int i = 0; i < Math.min(members.size(), 8); i++) {
                for (Json value : members.get(i).value().smaller()) {
                    List<Member> changed = new ArrayList<>(members);
                    changed.set(i, new Member(members.get(i).key(), value));
                    smaller.add(new Obj(changed));
                }
            }
            return smaller;
        }

        /** The last value of a key, as a JSON reader keeps it, or null. */
        Json get(String key) {
            Json found = null;
            for (Member member : members) {
                if (member.key().equals(key)) {
                    found = member.value();
                }
            }
            return found;
        }
    }

    record Member(String key, Json value) {
    }

    record Raw(String text) implements Verbatim {
        @Override
        public List<Json> smaller() {
            return text.length() <= 16 ? List.of() : List.of(new Raw(text.substring(0, text.length() / 2)));
        }
    }

    /**
     * Shorter copies of a list, for shrinking: its first half when it is longer than {@code halveAbove}, then the
     * list without each one of its first {@code dropEach} elements in turn.
     */
    private static <T> List<List<T>> shorter(List<T> items, int halveAbove, int dropEach) {
        List<List<T>> shorter = new ArrayList<>();
        if (items.size() > halveAbove) {
            shorter.add(items.subList(0, items.size() / 2));
        }
        for (int i = 0; i < Math.min(items.size(), dropEach); i++) {
            List<T> without = new ArrayList<>(items);
            without.remove(i);
            shorter.add(without);
        }
        return shorter;
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
            boolean pairedLow = Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || (Character.isSurrogate(c) && !pairedHigh && !pairedLow)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
