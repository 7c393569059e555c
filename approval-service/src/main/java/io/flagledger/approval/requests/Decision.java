package io.flagledger.approval.requests;

import io.flagledger.approval.policy.Approval;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** An approval or rejection by one person on one revision of a change request. */
public record Decision(String approverId, String approverName, List<String> roles, int revision, String decision,
                       String comment, Instant decidedAt) {

    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";

    public Approval asApproval() {
        return new Approval(approverId, Set.copyOf(roles), revision, decidedAt);
    }
}
