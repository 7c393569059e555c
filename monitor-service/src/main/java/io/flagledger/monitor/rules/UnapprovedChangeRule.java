package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Rule 6: a change to a protected environment without a matching approved change request. A change that names a
 * change request whose approval has not arrived yet waits {@code grace} (approval.events and flag.changes are
 * different topics, so their order is not guaranteed) and fires on {@link #expire()} if it is still unmatched.
 * Reverts by the monitor are exempt: flag-api allowed them for exactly the reverted event.
 */
public final class UnapprovedChangeRule implements ChangeRule {

    public static final String NAME = "unapproved-change";

    /** Whether a change request is approved for this flag and environment. */
    public interface Approvals {
        boolean approved(String changeRequestId, FlagChange change);
    }

    private final Clock clock;
    private final Set<String> protectedEnvironments;
    private final Duration grace;
    private final Approvals approvals;
    private final Map<String, FlagChange> waiting = new ConcurrentHashMap<>();

    public UnapprovedChangeRule(Clock clock, Set<String> protectedEnvironments, Duration grace, Approvals approvals) {
        this.clock = clock;
        this.protectedEnvironments = Set.copyOf(protectedEnvironments);
        this.grace = grace;
        this.approvals = approvals;
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
        Optional<String> request = change.approvalId();
        if (request.isEmpty()) {
            return Optional.of(detection(change, change.breakGlass()
                    ? "Break-glass change to " + change.key() + " without a change request"
                    : "Change to " + change.key() + " without an approved change request"));
        }
        if (!approvals.approved(request.get(), change)) {
            waiting.put(change.eventId(), change);
        }
        return Optional.empty();
    }

    /** An approval arrived: changes waiting for it are fine. */
    public void approvalArrived(Predicate<FlagChange> matches) {
        waiting.values().removeIf(matches);
    }

    /** Changes whose change request is still not approved after the grace period. */
    public List<Detection> expire() {
        Instant now = clock.instant();
        List<Detection> fired = new ArrayList<>();
        for (FlagChange change : List.copyOf(waiting.values())) {
            if (!change.timestamp().plus(grace).isAfter(now) && waiting.remove(change.eventId()) != null) {
                if (!approvals.approved(change.approvalId().orElseThrow(), change)) {
                    fired.add(detection(change, "Change to " + change.key() + " names change request "
                            + change.approvalId().orElseThrow() + ", which is not approved for it"));
                }
            }
        }
        return fired;
    }

    private Detection detection(FlagChange change, String summary) {
        var details = Detection.newDetails().put("break_glass", change.breakGlass());
        change.approvalId().ifPresent(id -> details.put("change_request_id", id));
        return Detection.of(NAME, change.breakGlass() ? Severity.P1 : Severity.P2, change, summary, details, clock.instant());
    }
}
