package io.flagledger.flagapi.evaluation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code matches} operator without the risk of catastrophic backtracking: patterns and inputs are
 * length-limited and the matcher may read at most a fixed number of characters. Counting reads instead of
 * measuring time keeps the answer identical on every replica.
 */
final class BoundedRegex {

    static final int MAX_PATTERN = 256;
    static final int MAX_INPUT = 1024;
    private static final int MAX_READS = 100_000;
    private static final int MAX_CACHED = 10_000;
    private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

    private BoundedRegex() {
    }

    /** @throws IllegalArgumentException if the pattern is too long or not a valid regular expression */
    static Pattern compile(String regex) {
        if (regex.length() > MAX_PATTERN) {
            throw new IllegalArgumentException("pattern longer than " + MAX_PATTERN + " characters");
        }
        Pattern cached = CACHE.get(regex);
        if (cached != null) {
            return cached;
        }
        try {
            Pattern pattern = Pattern.compile(regex);
            if (CACHE.size() < MAX_CACHED) {
                CACHE.put(regex, pattern);
            }
            return pattern;
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid pattern: " + e.getDescription());
        }
    }

    /** True if the pattern is found in the input within the read budget; false otherwise (including on budget exhaustion). */
    static boolean find(String regex, String input) {
        if (input.length() > MAX_INPUT) {
            return false;
        }
        try {
            return compile(regex).matcher(new Budgeted(input)).find();
        } catch (BudgetExceeded | IllegalArgumentException e) {
            return false;
        }
    }

    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    private static final class Budgeted implements CharSequence {
        private final String text;
        private int reads;

        Budgeted(String text) {
            this.text = text;
        }

        @Override
        public char charAt(int index) {
            if (++reads > MAX_READS) {
                throw new BudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
