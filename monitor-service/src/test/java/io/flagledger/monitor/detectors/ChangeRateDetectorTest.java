package io.flagledger.monitor.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeRateDetectorTest {

    private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
    private static final ChangeRateDetector.Params PARAMS =
            new ChangeRateDetector.Params(Duration.ofMinutes(10), 0.1, 0.3, 1e-4, 6, 0.5, 36, 100);

    @Test
    void aBurstFarAboveTheKeysOwnBaselineFiresOncePerBucket() {
        ChangeRateDetector detector = new ChangeRateDetector(PARAMS);
        // one change per 10 minutes for a day: a steady key
        Instant t = START;
        for (int i = 0; i < 144; i++, t = t.plus(Duration.ofMinutes(10))) {
            assertThat(detector.observe("alice", t)).isEmpty();
        }
        assertThat(detector.expected("alice")).isBetween(0.9, 1.1);
        List<ChangeRateDetector.Finding> findings = new ArrayList<>();
        Instant burst = t;
        for (int i = 0; i < 12; i++) {
            detector.observe("alice", burst.plusSeconds(i)).ifPresent(findings::add);
        }
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("alice");
            assertThat(f.count()).isEqualTo(7); // P(X >= 7 | 1) = 8.3e-5, the first under 1e-4
            assertThat(f.pValue()).isLessThan(1e-4);
            assertThat(f.bucketStart()).isEqualTo(burst);
        });
    }

    @Test
    void aBusyKeyIsNotAnomalousAtItsUsualRate() {
        ChangeRateDetector detector = new ChangeRateDetector(PARAMS);
        Instant t = START;
        // 10 changes per bucket for two days, in the same minute of each bucket
        for (int bucket = 0; bucket < 288; bucket++) {
            for (int i = 0; i < 10; i++) {
                assertThat(detector.observe("ci-bot", t.plus(Duration.ofMinutes(10L * bucket)).plusSeconds(i))).isEmpty();
            }
        }
    }

    @Test
    void nothingFiresDuringWarmUpOrBelowTheMinimumCount() {
        ChangeRateDetector detector = new ChangeRateDetector(PARAMS);
        for (int i = 0; i < 50; i++) {
            assertThat(detector.observe("new-person", START.plusSeconds(i))).isEmpty(); // first bucket: warm-up
        }
        ChangeRateDetector warm = new ChangeRateDetector(PARAMS);
        warm.observe("bob", START);
        Instant later = START.plus(Duration.ofHours(7));
        for (int i = 0; i < 5; i++) {
            assertThat(warm.observe("bob", later.plusSeconds(i))).isEmpty(); // 5 < minChanges
        }
        assertThat(warm.observe("bob", later.plusSeconds(5))).isPresent();
    }

    @Test
    void theHourlyProfileRemembersABusyHourAfterAQuietNight() {
        ChangeRateDetector detector = new ChangeRateDetector(PARAMS);
        // three days: 12 changes per bucket between 09:00 and 10:00, nothing otherwise
        for (int day = 0; day < 3; day++) {
            Instant nine = START.plus(Duration.ofDays(day)).plus(Duration.ofHours(9));
            for (int bucket = 0; bucket < 6; bucket++) {
                for (int i = 0; i < 12; i++) {
                    Optional<ChangeRateDetector.Finding> f = detector.observe("deployer", nine.plus(Duration.ofMinutes(10L * bucket)).plusSeconds(i));
                    if (day > 0) {
                        assertThat(f).as("day %d bucket %d", day, bucket).isEmpty();
                    }
                }
            }
        }
    }

    @Test
    void aBurstIsNotLearnedAsTheNewNormal() {
        ChangeRateDetector detector = new ChangeRateDetector(PARAMS);
        Instant t = START;
        for (int i = 0; i < 144; i++, t = t.plus(Duration.ofMinutes(10))) {
            detector.observe("alice", t);
        }
        for (int i = 0; i < 200; i++) {
            detector.observe("alice", t.plusSeconds(i));
        }
        t = t.plus(Duration.ofMinutes(10));
        double before = detector.expected("alice");
        detector.observe("alice", t);
        assertThat(detector.expected("alice")).isLessThan(before + 0.5);
    }

    @Test
    void memoryIsBoundedByMaxKeys() {
        ChangeRateDetector detector = new ChangeRateDetector(new ChangeRateDetector.Params(Duration.ofMinutes(10), 0.1, 0.3,
                1e-4, 6, 0.5, 0, 3));
        for (int i = 0; i < 10; i++) {
            detector.observe("actor-" + i, START);
        }
        assertThat(detector.keys()).isEqualTo(3);
        assertThatThrownBy(() -> new ChangeRateDetector.Params(Duration.ZERO, 0.1, 0.3, 1e-4, 6, 0.5, 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
