package io.envgrid.testsupport.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A generator of values of {@code T} drawn from a seeded {@link SplittableRandom}: the few
 * combinators the fuzz suite needs, so that the same seed yields the same sequence of values (a
 * failure replays with {@code -Dfuzz.seed=}). No shrinking: a failure reports the value as sent.
 *
 * @param <T> the type of the generated values
 */
@FunctionalInterface
public interface Gen<T> {

    /** Draws one value; every random choice comes from {@code random}. */
    T next(SplittableRandom random);

    /** This generator's values passed through {@code f}. */
    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    /** A value of this generator picks the generator of the result. */
    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> f) {
        return random -> f.apply(next(random)).next(random);
    }

    /** {@code null} with probability {@code p} (0..1), otherwise a value of this generator. */
    default Gen<T> orNull(double p) {
        return random -> random.nextDouble() < p ? null : next(random);
    }

    /** Lists of {@code min..max} (inclusive) values of this generator. */
    default Gen<List<T>> list(int min, int max) {
        return random -> {
            int size = random.nextInt(min, max + 1);
            List<T> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(next(random));
            }
            return out;
        };
    }

    /** Always {@code value}. */
    static <T> Gen<T> constant(T value) {
        return random -> value;
    }

    /** One of {@code values}, uniformly (null elements allowed). */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return of(Arrays.asList(values));
    }

    /** One of {@code values} (non-empty), uniformly. */
    static <T> Gen<T> of(List<? extends T> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("nothing to choose from");
        }
        List<? extends T> copy = new ArrayList<>(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** An int in {@code min..max}, inclusive. */
    static Gen<Integer> ints(int min, int max) {
        return random -> random.nextInt(min, max + 1);
    }

    /** Strings of {@code min..max} (inclusive) characters taken from {@code chars}. */
    static Gen<String> strings(String chars, int min, int max) {
        return random -> {
            int length = random.nextInt(min, max + 1);
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                out.append(chars.charAt(random.nextInt(chars.length())));
            }
            return out.toString();
        };
    }

    /**
     * Strings of up to {@code max} UTF-16 units of any kind: half printable ASCII, half drawn from
     * the whole char range (control characters, lone surrogates, U+FFFF and the like included).
     */
    static Gen<String> anyStrings(int max) {
        return random -> {
            int length = random.nextInt(max + 1);
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                out.append(random.nextBoolean() ? (char) random.nextInt(0x20, 0x7f) : (char) random.nextInt(0x10000));
            }
            return out.toString();
        };
    }

    /** A weight (> 0) and the generator it applies to, for {@link #frequency}. */
    record Choice<T>(int weight, Gen<? extends T> gen) {
    }

    /** {@code gen} chosen {@code weight} times in the sum of all weights. */
    static <T> Choice<T> weight(int weight, Gen<? extends T> gen) {
        return new Choice<>(weight, gen);
    }

    /** One of the choices by weight, then a value of its generator. */
    @SafeVarargs
    static <T> Gen<T> frequency(Choice<? extends T>... choices) {
        int total = 0;
        for (Choice<? extends T> c : choices) {
            total += c.weight();
        }
        int sum = total;
        return random -> {
            int pick = random.nextInt(sum);
            for (Choice<? extends T> c : choices) {
                pick -= c.weight();
                if (pick < 0) {
                    return c.gen().next(random);
                }
            }
            throw new IllegalStateException("unreachable");
        };
    }

    /** One of {@code gens}, uniformly, then a value of it. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return random -> gens[random.nextInt(gens.length)].next(random);
    }
}
