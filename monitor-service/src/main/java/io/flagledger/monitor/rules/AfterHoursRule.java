package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.contract.approval.ApplyWindow;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Rule 3: a change to a protected environment outside business hours by an actor without an exempt role (SRE).
 * An approved change is judged by its approvers' policy, not by who applied it (approval-service's service account,
 * which has no SRE role): inside the policy's apply window (or under a policy without one) it is not after-hours;
 * outside the window it is, whatever the hour. A service identity acting without an approval or revert scope is never
 * exempt by its roles: it is a service account acting as a person.
 */
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
        if (!change.touches(protectedEnvironments) || change.isRevert()) {
            return Optional.empty();
        }
        var details = Detection.newDetails().put("local_time", change.timestamp().atZone(hours.zone()).toString())
                .put("time_zone", hours.zone().getId());
        if (change.approved()) {
            Optional<ApplyWindow> window = change.applyWindow().flatMap(AfterHoursRule::parse);
            if (window.isEmpty() && change.applyWindow().isEmpty() || window.isPresent() && window.get().allows(change.timestamp())) {
                return Optional.empty();
            }
            details.put("apply_window", change.applyWindow().orElseThrow());
            change.approvers().forEach(details.withArray("approvers")::add);
            return Optional.of(Detection.of(NAME, Severity.P2, change, "Approved change to " + change.key()
                    + " applied outside its policy's apply window " + change.applyWindow().get() + " ("
                    + change.timestamp().atZone(hours.zone()) + "), approved by " + String.join(", ", change.approvers()),
                    details, clock.instant()));
        }
        boolean serviceWithoutMandate = change.serviceWithoutMandate();
        if (hours.contains(change.timestamp()) || !serviceWithoutMandate && exemptRoles.stream().anyMatch(change::hasRole)) {
            return Optional.empty();
        }
        details.put("service_without_approval", serviceWithoutMandate);
        return Optional.of(Detection.of(NAME, Severity.P2, change, "Change to " + change.key() + " outside business hours ("
                        + change.timestamp().atZone(hours.zone()) + ") by " + change.actorId()
                        + (serviceWithoutMandate ? ", a service identity acting without an approval" : ""),
                details, clock.instant()));
    }

    /** A window the token carried but this monitor cannot read is treated as outside it: the change is flagged. */
    private static Optional<ApplyWindow> parse(String window) {
        try {
            return Optional.of(ApplyWindow.parse(window));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
