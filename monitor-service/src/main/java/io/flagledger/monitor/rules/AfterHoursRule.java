package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/** Rule 3: a change to a protected environment outside business hours by an actor without an exempt role (SRE). */
public final class AfterHoursRule implements ChangeRule {

    public static final String NAME = "after-hours";

    private final Clock clock;
    private final BusinessHours hours;
    private final Set<String> protectedEnvironments;
    private final Set<String> exemptRoles;

    public AfterHoursRule(Clock clock, BusinessHours hours, Set<String> protectedEnvironments, Set<String> exemptRoles) {
        this.clock = clock;
        this.hours = hours;
        this.protectedEnvironments = Set.copyOf(protectedEnvironments);
        this.exemptRoles = Set.copyOf(exemptRoles);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Detection> evaluate(FlagChange change, ChangeHistory history) {
        if (!change.touches(protectedEnvironments) || change.isRevert()
                || hours.contains(change.timestamp()) || exemptRoles.stream().anyMatch(change::hasRole)) {
            return Optional.empty();
        }
        return Optional.of(Detection.of(NAME, Severity.P2, change, "Change to " + change.key() + " outside business hours ("
                        + change.timestamp().atZone(hours.zone()) + ") by " + change.actorId(),
                Detection.newDetails().put("local_time", change.timestamp().atZone(hours.zone()).toString())
                        .put("time_zone", hours.zone().getId()), clock.instant()));
    }
}
