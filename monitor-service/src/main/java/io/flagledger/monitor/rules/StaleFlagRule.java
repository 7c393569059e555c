package io.flagledger.monitor.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.monitor.changes.FlagKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rule 7: a flag past its expiry date, or served fully rolled out for longer than {@code fullyRolledOutAfter}, is
 * stale: its owner is notified, and the alert escalates when it is still stale {@code escalateAfter} later. Each
 * stage is a separate subject, so each is sent once.
 */
public final class StaleFlagRule {

    public static final String NAME = "stale-flag";

    /** A flag that may be stale: expired at {@code expiresAt}, or fully rolled out since {@code fullyRolledOutSince}. */
    public record Candidate(FlagKey key, String owner, Instant expiresAt, Instant fullyRolledOutSince) {
    }

    private final Clock clock;
    private final Duration fullyRolledOutAfter;
    private final Duration escalateAfter;

    public StaleFlagRule(Clock clock, Duration fullyRolledOutAfter, Duration escalateAfter) {
        this.clock = clock;
        this.fullyRolledOutAfter = fullyRolledOutAfter;
        this.escalateAfter = escalateAfter;
    }

    public List<Detection> evaluate(Candidate candidate) {
        Instant now = clock.instant();
        List<Detection> fired = new ArrayList<>();
        if (candidate.expiresAt() != null) {
            stages(candidate, "expired", candidate.expiresAt(), "expired on " + candidate.expiresAt(), now, fired);
        }
        if (candidate.fullyRolledOutSince() != null) {
            stages(candidate, "fully-rolled-out", candidate.fullyRolledOutSince().plus(fullyRolledOutAfter),
                    "fully rolled out since " + candidate.fullyRolledOutSince(), now, fired);
        }
        return fired;
    }

    private void stages(Candidate c, String kind, Instant staleAt, String why, Instant now, List<Detection> fired) {
        if (now.isBefore(staleAt)) {
            return;
        }
        boolean escalate = !now.isBefore(staleAt.plus(escalateAfter));
        String stage = escalate ? "escalate" : "notify";
        var details = JsonNodeFactory.instance.objectNode().put("kind", kind).put("stage", stage)
                .put("stale_since", staleAt.toString());
        if (c.owner() != null) {
            details.put("owner", c.owner());
        }
        String subject = "stale:" + kind + ":" + c.key() + ":" + staleAt.getEpochSecond() + ":" + stage;
        fired.add(new Detection(NAME, escalate ? Severity.P2 : Severity.P3, subject, null, c.key(), subject,
                c.owner(), "Flag " + c.key() + " is stale: " + why + (escalate ? " (escalated)" : ""),
                details, now, null));
    }
}
