package io.flagledger.contract.canonical;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EcmaNumbersTest {

    /** RFC 8785 Appendix B. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0000000000000000, 0",
            "8000000000000000, 0",
            "0000000000000001, 5e-324",
            "8000000000000001, -5e-324",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "ffefffffffffffff, -1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "c340000000000000, -9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333", // the brief said ...327, which does not round-trip
            "43143ff3c1cb0959, 1424953923781206.2",
    })
    void rfc8785AppendixB(String ieeeHex, String expected) {
        assertEquals(expected, EcmaNumbers.format(Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16))));
    }

    @ParameterizedTest
    @CsvSource({"7fffffffffffffff", "7ff8000000000000", "7ff0000000000000", "fff0000000000000"})
    void rejectsNanAndInfinity(String ieeeHex) {
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        assertThrows(IllegalArgumentException.class, () -> EcmaNumbers.format(d));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "1, 1", "-1, -1", "0.1, 0.1", "100, 100", "123.456, 123.456", "1e21, 1e+21", "1e20, 100000000000000000000",
            "1.5e-7, 1.5e-7", "1e-7, 1e-7", "0.000001, 0.000001", "0.0000012345, 0.0000012345", "1.2345e-7, 1.2345e-7",
            "5e-324, 5e-324", "2e-323, 2e-323", "1.7976931348623157e308, 1.7976931348623157e+308",
            "123456789012345680000, 123456789012345680000", "4.35, 4.35", "0.3, 0.3", "2.0E-3, 0.002",
            // JDK 17's Double.toString gets these wrong (JDK-4511638): 2.82879384806159008E17, 9.999999999999999E22
            "2.82879384806159E17, 282879384806159000", "1.0E23, 1e+23",
    })
    void ecmaScriptLayout(double value, String expected) {
        assertEquals(expected, EcmaNumbers.format(value));
    }

    /** The plain-digits shortcut for integers below 2^53 writes what the exact search finds. */
    @Test
    void safeIntegersAreWhatTheSearchFinds() {
        SplittableRandom random = new SplittableRandom(53);
        for (int i = 0; i < 20_000; i++) {
            long v = switch (i % 3) {
                case 0 -> random.nextLong(1, 1L << 53);
                case 1 -> random.nextLong(1, 100_000);
                default -> (long) Math.pow(10, random.nextInt(16)) * random.nextInt(1, 10); // trailing zeros
            };
            assertEquals(EcmaNumbers.searched(v), EcmaNumbers.format(v), Long.toString(v));
            assertEquals("-" + EcmaNumbers.searched(v), EcmaNumbers.format(-v), Long.toString(-v));
        }
        assertEquals(EcmaNumbers.searched(9007199254740991.0), EcmaNumbers.format(9007199254740991.0));
        assertEquals("9007199254740992", EcmaNumbers.format(9007199254740992.0)); // 2^53 itself: the search
        assertEquals(EcmaNumbers.searched(0.5), EcmaNumbers.format(0.5));
    }

    @Test
    void randomDoublesRoundTripWithMinimalDigits() {
        SplittableRandom random = new SplittableRandom(8785);
        for (int i = 0; i < 5_000; i++) {
            double d = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong());      // any bit pattern
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(-30, 30));
                case 2 -> random.nextLong(-1L << 54, 1L << 54);              // integers near 2^53
                default -> Math.round(random.nextDouble() * 1e6) / 1e4;     // "human" decimals
            };
            if (!Double.isFinite(d)) {
                continue;
            }
            String text = EcmaNumbers.format(d);
            assertEquals(d == 0 ? 0.0 : d, Double.parseDouble(text), text);
            assertMinimal(d, significantDigits(text), text);
            assertTrue(significantDigits(text) <= significantDigits(Double.toString(d)), text + " vs " + d);
        }
    }

    /** No decimal with one digit fewer lies in d's rounding interval. */
    private static void assertMinimal(double d, int digits, String text) {
        if (d == 0 || digits == 1) {
            return;
        }
        BigDecimal exact = new BigDecimal(Math.abs(d));
        for (RoundingMode mode : new RoundingMode[]{RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal shorter = exact.round(new MathContext(digits - 1, mode));
            assertFalse(Double.parseDouble(shorter.toString()) == Math.abs(d),
                    text + " is not minimal: " + shorter + " also round-trips");
        }
    }

    private static int significantDigits(String text) {
        String mantissa = text.replace("-", "").split("[eE]")[0].replace(".", "");
        String trimmed = mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, trimmed.length());
    }
}
