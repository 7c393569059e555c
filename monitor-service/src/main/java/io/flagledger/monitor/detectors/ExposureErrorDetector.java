package io.flagledger.monitor.detectors;

import java.util.List;
import java.util.Optional;

/**
 * An application's error rate against the share of its traffic a flag change exposed. A canary that sends 5% of
 * requests to a variation failing half of them lifts the overall error rate by only 2.5 points, under a fixed 5%
 * threshold; what matters is the error rate among the exposed requests. With baseline error rate b (before the
 * change), exposure e (the share the change newly sends to a non-off variation) and overall rate r after it, the
 * exposed requests fail at q = b + (r − b) / e.
 * <p>
 * It fires when, over the last {@code window} samples, the mean r̄ is a significant rise (r̄ − b > z · s / √window,
 * s the standard deviation of the samples before the change, floored at {@code minNoise}) and the implied q reaches
 * {@code exposedThreshold}. Averaging and the significance test keep a small exposure from amplifying noise into
 * alarms. Pure: the caller supplies the samples.
 */
public final class ExposureErrorDetector {

    public record Params(double exposedThreshold, double z, int window, double minNoise) {
        public Params {
            if (exposedThreshold <= 0 || exposedThreshold > 1 || z <= 0 || window < 1 || minNoise <= 0) {
                throw new IllegalArgumentException("invalid exposure detector parameters: " + this);
            }
        }
    }

    /** Why it fired: the rates and the implied error rate of the exposed traffic. */
    public record Finding(double baseline, double observed, double exposure, double exposedErrorRate, int sampleIndex) {
    }

    private final Params params;

    public ExposureErrorDetector(Params params) {
        this.params = params;
    }

    /**
     * @param before   error-rate samples before the change (its baseline and noise), oldest first
     * @param exposure share of traffic the change exposed, 0..1
     * @param after    error-rate samples since the change, oldest first
     * @return the first window that fires, if any
     */
    public Optional<Finding> judge(List<Double> before, double exposure, List<Double> after) {
        if (before.isEmpty() || exposure <= 0 || after.size() < params.window()) {
            return Optional.empty();
        }
        double baseline = before.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double variance = before.stream().mapToDouble(v -> (v - baseline) * (v - baseline)).sum() / Math.max(1, before.size() - 1);
        double noise = Math.max(Math.sqrt(variance), params.minNoise());
        double bar = params.z() * noise / Math.sqrt(params.window());
        double e = Math.min(1.0, exposure);
        double sum = 0;
        for (int i = 0; i < after.size(); i++) {
            sum += after.get(i);
            if (i >= params.window()) {
                sum -= after.get(i - params.window());
            }
            if (i + 1 < params.window()) {
                continue;
            }
            double mean = sum / params.window();
            double rise = mean - baseline;
            double exposed = Math.min(1.0, baseline + rise / e);
            if (rise > bar && exposed >= params.exposedThreshold()) {
                return Optional.of(new Finding(baseline, mean, e, exposed, i));
            }
        }
        return Optional.empty();
    }
}
