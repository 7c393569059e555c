package io.flagledger.monitor.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.Exposure;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Rule 2: a rollout percentage rising by more than {@code maxRisePoints} within {@code window} (1% → 100% in one
 * go, or in several small steps), or a rule that now matches everyone. Both states compared must be enabled:
 * switching a flag on is judged by the other rules, or every first toggle would be a "mass rollout".
 */
public final class MassRolloutRule implements ChangeRule {

    public static final String NAME = "mass-rollout";

    private final Clock clock;
    private final double maxRisePoints;
    private final Duration window;

    public MassRolloutRule(Clock clock, double maxRisePoints, Duration window) {
        this.clock = clock;
        this.maxRisePoints = maxRisePoints;
        this.window = window;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Detection> evaluate(FlagChange change, ChangeHistory history) {
        if (!change.isEnvironmentChange() || change.isRevert() || !enabled(change.newState())) {
            return Optional.empty();
        }
        List<FlagChange> recent = history.since(change.key(), change.timestamp().minus(window)).stream()
                .filter(c -> !c.timestamp().isAfter(change.timestamp())).toList();
        // The state at the start of the window: before the oldest change inside it.
        JsonNode start = recent.isEmpty() ? change.previousState() : recent.get(0).previousState();
        if (enabled(start)) {
            double rise = Exposure.largestRise(start, change.newState());
            if (rise > maxRisePoints) {
                return Optional.of(Detection.of(NAME, Severity.P2, change, String.format(
                        "Rollout of %s rose by %.1f points within %d min", change.key(), rise, window.toMinutes()),
                        Detection.newDetails().put("rise_points", rise).put("max_rise_points", maxRisePoints)
                                .put("window_seconds", window.toSeconds()), clock.instant()));
            }
        }
        return matchAllRule(change).map(rule -> Detection.of(NAME, Severity.P2, change,
                "Rule '" + rule + "' of " + change.key() + " now matches every context",
                Detection.newDetails().put("rule_id", rule), clock.instant()));
    }

    /** A rule that has no clause, serves a non-off variation and did not exist like that before. */
    private static Optional<String> matchAllRule(FlagChange change) {
        String off = change.newState().path("offVariation").asText();
        for (JsonNode rule : change.newState().path("rules")) {
            boolean matchesAll = rule.path("clauses").isEmpty() && !off.equals(rule.path("serve").path("variation").asText(off));
            if (matchesAll && !existedBefore(change.previousState(), rule)) {
                return Optional.of(rule.path("id").asText());
            }
        }
        return Optional.empty();
    }

    private static boolean existedBefore(JsonNode before, JsonNode rule) {
        if (before == null) {
            return false;
        }
        for (JsonNode old : before.path("rules")) {
            if (old.equals(rule)) {
                return true;
            }
        }
        return false;
    }

    private static boolean enabled(JsonNode state) {
        return state != null && state.path("enabled").asBoolean(false);
    }
}
