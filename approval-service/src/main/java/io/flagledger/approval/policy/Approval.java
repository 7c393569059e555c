package io.flagledger.approval.policy;

import java.time.Instant;
import java.util.Set;

/** One person's approval of one revision of a change request, with the roles they held at the time. */
public record Approval(Party approver, Set<String> roles, int revision, Instant decidedAt) {

    public Approval {
        roles = Set.copyOf(roles);
    }
}
