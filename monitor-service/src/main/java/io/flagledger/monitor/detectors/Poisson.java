package io.flagledger.monitor.detectors;

/** The Poisson upper tail, the test behind {@link ChangeRateDetector}. */
public final class Poisson {

    private Poisson() {
    }

    /**
     * P(X ≥ k) for X ~ Poisson(λ): the chance of seeing at least {@code k} events when {@code lambda} are expected.
     * Summed upwards from k in log space, so tiny tails (1e-12) are exact rather than 1 − (a CDF rounded to 1).
     */
    public static double upperTail(int k, double lambda) {
        if (k <= 0) {
            return 1.0;
        }
        if (lambda <= 0) {
            return 0.0;
        }
        if (k <= lambda) {
            // the bulk: 1 - P(X <= k-1), no cancellation problem here
            double term = Math.exp(-lambda);
            double cdf = term;
            for (int i = 1; i < k; i++) {
                term *= lambda / i;
                cdf += term;
            }
            return Math.max(0.0, 1.0 - cdf);
        }
        double logTerm = k * Math.log(lambda) - lambda - logFactorial(k);
        double term = Math.exp(logTerm);
        double sum = 0;
        for (int i = k; term > sum * 1e-16 && i < k + 10_000; i++) {
            sum += term;
            term *= lambda / (i + 1);
        }
        return Math.min(1.0, sum);
    }

    static double logFactorial(int n) {
        if (n < 2) {
            return 0;
        }
        if (n < 256) {
            double sum = 0;
            for (int i = 2; i <= n; i++) {
                sum += Math.log(i);
            }
            return sum;
        }
        // Stirling with the 1/(12n) term: exact to ~1e-10 relative beyond 256
        return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1.0 / (12.0 * n);
    }
}
