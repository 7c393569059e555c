package io.flagledger.monitor.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExposureErrorDetectorTest {

    private static final ExposureErrorDetector DETECTOR = new ExposureErrorDetector(new ExposureErrorDetector.Params(0.10, 4, 3, 0.0005));
    private static final List<Double> QUIET = List.of(0.002, 0.0021, 0.0019, 0.002, 0.0022, 0.0018);

    @Test
    void aSmallCanaryFailingHalfItsRequestsIsFoundBelowAnyFixedOverallThreshold() {
        // 5% exposed at 50% errors: overall 0.2% + 5% x 49.8% ≈ 2.7%, under a 5% absolute threshold
        List<Double> after = Collections.nCopies(3, 0.002 + 0.05 * 0.498);
        var finding = DETECTOR.judge(QUIET, 0.05, after).orElseThrow();
        assertThat(finding.exposedErrorRate()).isCloseTo(0.5, within(0.01));
        assertThat(finding.sampleIndex()).isEqualTo(2);
    }

    @Test
    void noiseIsNotAmplifiedByASmallExposure() {
        // 1% exposure, overall rate wobbling within its usual noise: q̂ would be large, the rise is not significant
        assertThat(DETECTOR.judge(QUIET, 0.01, List.of(0.0024, 0.0019, 0.0023, 0.0021))).isEmpty();
    }

    @Test
    void aSignificantRiseThatIsSmallForTheExposedTrafficIsNotAnAlarm() {
        // everyone exposed, errors up from 0.2% to 0.5%: significant, but 0.5% is under the 10% exposed threshold
        assertThat(DETECTOR.judge(QUIET, 1.0, Collections.nCopies(5, 0.005))).isEmpty();
    }

    @Test
    void nothingWithoutABaselineOrExposureOrEnoughSamples() {
        assertThat(DETECTOR.judge(List.of(), 0.5, Collections.nCopies(5, 0.5))).isEmpty();
        assertThat(DETECTOR.judge(QUIET, 0, Collections.nCopies(5, 0.5))).isEmpty();
        assertThat(DETECTOR.judge(QUIET, 0.5, List.of(0.5, 0.5))).isEmpty();
    }
}
