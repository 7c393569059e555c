package io.flagledger.flagapi.evaluation;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Semantic Versioning 2.0.0 precedence (build metadata ignored). Lenient on "1" and "1.2" as 1.0.0 and 1.2.0. */
record Semver(BigInteger major, BigInteger minor, BigInteger patch, String[] preRelease) implements Comparable<Semver> {

    private static final Pattern FORMAT = Pattern.compile(
            "^v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?$");

    static Semver parse(String text) {
        if (text == null || text.length() > 256) {
            return null;
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        return new Semver(new BigInteger(m.group(1)), number(m.group(2)), number(m.group(3)),
                m.group(4) == null ? new String[0] : m.group(4).split("\\."));
    }

    private static BigInteger number(String group) {
        return group == null ? BigInteger.ZERO : new BigInteger(group);
    }

    @Override
    public int compareTo(Semver other) {
        int c = major.compareTo(other.major);
        if (c == 0) {
            c = minor.compareTo(other.minor);
        }
        if (c == 0) {
            c = patch.compareTo(other.patch);
        }
        return c != 0 ? c : comparePreRelease(preRelease, other.preRelease);
    }

    /** A release ranks above its pre-releases; identifiers compare numerically when both are numeric. */
    private static int comparePreRelease(String[] a, String[] b) {
        if (a.length == 0 || b.length == 0) {
            return Integer.compare(b.length, a.length);
        }
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            boolean aNum = a[i].chars().allMatch(Character::isDigit);
            boolean bNum = b[i].chars().allMatch(Character::isDigit);
            int c = aNum && bNum ? new BigInteger(a[i]).compareTo(new BigInteger(b[i]))
                    : aNum ? -1 : bNum ? 1 : a[i].compareTo(b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }
}
