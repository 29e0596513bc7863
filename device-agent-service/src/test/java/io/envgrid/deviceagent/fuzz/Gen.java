package io.envgrid.deviceagent.fuzz;

import java.util.List;
import java.util.Random;

/**
 * The fuzz run's seeded generator: every value comes from one {@link Random}, so the printed seed replays a run
 * exactly ({@code -Dfuzz.seed=…}). Numbers and strings return an edge case (0, ±1, the type's limits, the empty
 * string) one time in ten, because those are where parsers and range checks break.
 */
final class Gen {

    private final Random random;

    /** A generator seeded with {@code seed}. */
    Gen(long seed) {
        this.random = new Random(seed);
    }

    /** The underlying {@link Random}, for draws no method here covers. */
    Random random() {
        return random;
    }

    /** True with probability {@code p} (0 to 1). */
    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    /** One of {@code values}, uniformly; {@code values} must not be empty. */
    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Any long; edge cases 0, ±1 and the limits. */
    long anyLong() {
        return random.nextInt(10) == 0
                ? pick(List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE))
                : random.nextLong();
    }

    /**
     * A finite double of any magnitude (10^-300 to 10^300, either sign); edge cases 0, -0, ±1, {@code Double.MIN_VALUE}
     * and ±{@code Double.MAX_VALUE}.
     */
    double anyDouble() {
        if (random.nextInt(10) == 0) {
            return pick(List.of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
        }
        double magnitude = random.nextDouble() * Math.pow(10, random.nextInt(601) - 300);
        return random.nextBoolean() ? magnitude : -magnitude;
    }

    /**
     * A string of {@code minLength} to {@code maxLength} chars, each uniform in {@code [from, to]} or one of
     * {@code extra}; edge case: the shortest string, of {@code from} chars. Over the whole char range this includes
     * unpaired surrogates and NUL.
     */
    String string(char from, char to, int minLength, int maxLength, char... extra) {
        int span = to - from + 1;
        if (random.nextInt(10) == 0) {
            return String.valueOf(from).repeat(minLength);
        }
        int n = minLength + random.nextInt(maxLength - minLength + 1);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(span + extra.length);
            s.append(k < span ? (char) (from + k) : extra[k - span]);
        }
        return s.toString();
    }
}
