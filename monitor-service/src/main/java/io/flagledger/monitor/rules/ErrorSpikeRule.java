package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.signals.Sample;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Rule 5: after a change, an application's error rate above {@code absoluteThreshold}, or above
 * {@code baselineFactor} × the rate just before the change, within {@code window} → the change is the suspect.
 * The baseline is floored at {@code minBaseline} so that 0 errors before a change does not make one error a spike.
 * When the application was already failing above the absolute threshold before the change, only the relative
 * test applies: the change did not cause what was there before it.
 */
public final class ErrorSpikeRule {

    public static final String NAME = "error-spike";

    private final Clock clock;
    private final double absoluteThreshold;
    private final double baselineFactor;
    private final double minBaseline;
    private final Duration window;

    public ErrorSpikeRule(Clock clock, double absoluteThreshold, double baselineFactor, double minBaseline, Duration window) {
        this.clock = clock;
        this.absoluteThreshold = absoluteThreshold;
        this.baselineFactor = baselineFactor;
        this.minBaseline = minBaseline;
        this.window = window;
    }

    public Duration window() {
        return window;
    }

    /** Whether {@code suspect} is recent enough that errors now may still be blamed on it. */
    public boolean watching(FlagChange suspect) {
        return clock.instant().isBefore(suspect.timestamp().plus(window));
    }

    /**
     * Judges the samples of one application taken since {@code suspect} (oldest first); the detection carries the
     * time of the first sample over the threshold.
     */
    public Optional<Detection> evaluate(FlagChange suspect, String application, OptionalDouble baseline, List<Sample> samples) {
        double relative = baselineFactor * Math.max(baseline.orElse(minBaseline), minBaseline);
        boolean alreadyFailing = baseline.isPresent() && baseline.getAsDouble() > absoluteThreshold;
        double threshold = alreadyFailing ? relative : Math.min(absoluteThreshold, relative);
        if (baseline.isEmpty()) {
            threshold = absoluteThreshold;
        }
        double limit = threshold;
        return samples.stream()
                .filter(s -> !s.at().isBefore(suspect.timestamp()) && s.at().isBefore(suspect.timestamp().plus(window)))
                .filter(s -> s.value() > limit)
                .findFirst()
                .map(s -> {
                    var details = Detection.newDetails().put("application", application).put("error_rate", s.value())
                            .put("threshold", limit).put("absolute_threshold", absoluteThreshold)
                            .put("baseline_factor", baselineFactor).put("window_seconds", window.toSeconds())
                            .put("threshold_crossed_at", s.at().toString());
                    baseline.ifPresent(b -> details.put("baseline", b));
                    return Detection.of(NAME, Severity.P1, suspect, String.format("Error rate of %s at %.2f%% (threshold %.2f%%) after %s changed",
                            application, s.value() * 100, limit * 100, suspect.key()), details, clock.instant())
                            .withThresholdCrossedAt(s.at());
                });
    }
}
