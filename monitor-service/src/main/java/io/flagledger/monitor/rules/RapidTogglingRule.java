package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Rule 1: more than {@code maxChanges} changes to one flag in one environment within {@code window}. */
public final class RapidTogglingRule implements ChangeRule {

    public static final String NAME = "rapid-toggling";

    private final Clock clock;
    private final int maxChanges;
    private final Duration window;

    public RapidTogglingRule(Clock clock, int maxChanges, Duration window) {
        this.clock = clock;
        this.maxChanges = maxChanges;
        this.window = window;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Detection> evaluate(FlagChange change, ChangeHistory history) {
        if (!change.isEnvironmentChange()) {
            return Optional.empty();
        }
        // Reverts are the remedy, not part of the flapping.
        List<FlagChange> recent = history.since(change.key(), change.timestamp().minus(window)).stream()
                .filter(c -> !c.isRevert() && !c.timestamp().isAfter(change.timestamp())).toList();
        // Fire when the count first exceeds the limit, not again for every further change of the same burst.
        if (recent.size() != maxChanges + 1) {
            return Optional.empty();
        }
        var details = Detection.newDetails().put("changes", recent.size()).put("max_changes", maxChanges)
                .put("window_seconds", window.toSeconds());
        details.putArray("event_ids").addAll(recent.stream().map(c -> details.textNode(c.eventId())).toList());
        return Optional.of(Detection.of(NAME, Severity.P2, change, recent.size() + " changes to " + change.key()
                + " within " + window.toMinutes() + " min", details, clock.instant()));
    }
}
