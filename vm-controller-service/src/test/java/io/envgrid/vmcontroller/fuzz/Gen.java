package io.envgrid.vmcontroller.fuzz;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A seeded value generator for {@link FuzzTest}: {@link #next} draws one value from the caller's
 * {@link Random}, so a run is replayed exactly by its seed. Numeric and string generators return an
 * edge case (0, ±1, the type's limits, the empty string) one time in ten, because those are where
 * parsers and range checks break.
 *
 * @param <T> the type of the generated values
 */
@FunctionalInterface
interface Gen<T> {

    /** One value; all randomness comes from {@code random}. */
    T next(Random random);

    /** The values of this generator passed through {@code f}. */
    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    /** Always {@code value}. */
    static <T> Gen<T> just(T value) {
        return random -> value;
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        List<T> list = List.of(values);
        return random -> list.get(random.nextInt(list.size()));
    }

    /** A value of one of {@code gens}, the generator picked uniformly. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return random -> gens[random.nextInt(gens.length)].next(random);
    }

    /** An int in {@code [min, max]} (both inclusive), edge cases {@code min}, {@code max}, 0 and ±1 if in range. */
    static Gen<Integer> ints(int min, int max) {
        return random -> {
            if (random.nextInt(10) == 0) {
                int edge = List.of(min, max, 0, 1, -1).get(random.nextInt(5));
                if (edge >= min && edge <= max) {
                    return edge;
                }
            }
            return (int) (min + (long) (random.nextDouble() * ((long) max - min + 1)));
        };
    }

    /** Any int. */
    static Gen<Integer> ints() {
        return ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Any long, edge cases 0, ±1 and the limits. */
    static Gen<Long> longs() {
        return random -> random.nextInt(10) == 0
                ? List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE).get(random.nextInt(5))
                : random.nextLong();
    }

    /**
     * A finite double of any magnitude (10^-300 to 10^300, either sign); edge cases 0, -0, ±1,
     * {@code Double.MIN_VALUE} and ±{@code Double.MAX_VALUE}. No NaN or infinity: JSON has none.
     */
    static Gen<Double> doubles() {
        return random -> {
            if (random.nextInt(10) == 0) {
                return List.of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE)
                        .get(random.nextInt(7));
            }
            double magnitude = random.nextDouble() * Math.pow(10, random.nextInt(601) - 300);
            return random.nextBoolean() ? magnitude : -magnitude;
        };
    }

    /** A string of 0 to {@code maxLength} chars, each uniform in {@code [from, to]}; edge case "". */
    static Gen<String> strings(char from, char to, int maxLength) {
        return random -> {
            int n = random.nextInt(10) == 0 ? 0 : random.nextInt(maxLength + 1);
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append((char) (from + random.nextInt(to - from + 1)));
            }
            return s.toString();
        };
    }
}
