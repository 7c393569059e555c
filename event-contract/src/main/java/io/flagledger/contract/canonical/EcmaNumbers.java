package io.flagledger.contract.canonical;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * ECMAScript {@code Number.prototype.toString()} for doubles, as RFC 8785 §3.2.2.3 requires.
 *
 * <p>JDK 17's {@link Double#toString(double)} sometimes emits more digits than the shortest
 * round-tripping form (JDK-4511638, fixed only in JDK 19), so the shortest digit string is searched
 * for explicitly with exact {@link BigDecimal} arithmetic instead.
 */
public final class EcmaNumbers {

    /** 2^53: every integer below it is a double, and consecutive doubles there are at most 1 apart. */
    private static final double SAFE_INTEGER_BOUND = 9007199254740992.0;

    private EcmaNumbers() {
    }

    /** @throws IllegalArgumentException for NaN and infinities, which JSON cannot represent */
    public static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON cannot represent the number " + value);
        }
        if (value == 0) {
            return "0"; // covers -0 too, as in ECMAScript
        }
        if (value < 0) {
            return "-" + format(-value);
        }
        if (value < SAFE_INTEGER_BOUND && value == Math.rint(value)) {
            // Below 2^53 consecutive doubles are at most 1 apart, so no other integer rounds to this one: its plain
            // digits are the shortest form (ECMA-262 Number::toString step 6, n <= 16). Skips the BigDecimal search.
            return Long.toString((long) value);
        }
        return searched(value);
    }

    /** {@link #format} of a positive finite value by the exact search, whatever the value (the tests' reference). */
    static String searched(double value) {
        BigDecimal shortest = shortest(value);
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // value = 0.digits * 10^n
        return layout(digits, k, n);
    }

    /**
     * Fewest significant digits that parse back to {@code value}; among candidates of that length the
     * one nearest to the exact binary value (ties to an even last digit), per ECMA-262 Number::toString note 2.
     */
    static BigDecimal shortest(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int k = 1; k <= 17; k++) {
            // Rounding boundaries are asymmetric at powers of two, so both neighbours must be tried:
            // the nearer one can fall outside the interval while the farther one is inside.
            BigDecimal down = exact.round(new MathContext(k, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(k, RoundingMode.UP));
            boolean downOk = roundTrips(down, value);
            boolean upOk = roundTrips(up, value);
            if (downOk && upOk) {
                return nearer(exact, down, up).stripTrailingZeros();
            }
            if (downOk) {
                return down.stripTrailingZeros();
            }
            if (upOk) {
                return up.stripTrailingZeros();
            }
        }
        throw new IllegalStateException("17 significant digits always round-trip a double: " + value);
    }

    private static boolean roundTrips(BigDecimal candidate, double value) {
        return Double.parseDouble(candidate.toString()) == value;
    }

    private static BigDecimal nearer(BigDecimal exact, BigDecimal down, BigDecimal up) {
        int cmp = exact.subtract(down).compareTo(up.subtract(exact));
        if (cmp != 0) {
            return cmp < 0 ? down : up;
        }
        return down.unscaledValue().testBit(0) ? up : down;
    }

    /** ECMA-262 Number::toString steps 6-10 for digits {@code s} (k of them) and exponent n. */
    private static String layout(String s, int k, int n) {
        StringBuilder out = new StringBuilder(k + 8);
        if (k <= n && n <= 21) {
            out.append(s).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }
}
