package io.flagledger.monitor.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PoissonTest {

    @Test
    void upperTailMatchesHandComputedValues() {
        // P(X >= 1 | 1) = 1 - e^-1
        assertThat(Poisson.upperTail(1, 1.0)).isCloseTo(1 - Math.exp(-1), within(1e-12));
        // P(X >= 3 | 2) = 1 - e^-2 (1 + 2 + 2)
        assertThat(Poisson.upperTail(3, 2.0)).isCloseTo(1 - Math.exp(-2) * 5, within(1e-12));
        assertThat(Poisson.upperTail(0, 5.0)).isEqualTo(1.0);
        assertThat(Poisson.upperTail(4, 0.0)).isEqualTo(0.0);
    }

    @Test
    void smallTailsAreNotRoundedAway() {
        // P(X >= 30 | 1) ~ 1/30! e^-1 (1 + 1/31 + ...) ≈ 1.4e-33: a CDF subtracted from 1 would give 0
        double tail = Poisson.upperTail(30, 1.0);
        assertThat(tail).isGreaterThan(0).isLessThan(1e-32);
        assertThat(Poisson.upperTail(30, 1.0)).isGreaterThan(Poisson.upperTail(31, 1.0));
        // large k uses Stirling: continuous with the exact sum
        assertThat(Poisson.upperTail(300, 250.0)).isCloseTo(0.0011, within(0.0004));
    }
}
