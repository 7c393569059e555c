package io.flagledger.approval.requests;

import io.flagledger.approval.policy.Approval;
import io.flagledger.approval.policy.Party;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * An approval or rejection by one person on one revision of a change request; {@code approverPerson} is the
 * person claim of their token (null when none is configured).
 */
public record Decision(String approverId, String approverPerson, String approverName, List<String> roles, int revision,
                       String decision, String comment, Instant decidedAt) {

    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";

    public Party approver() {
        return new Party(approverId, approverPerson);
    }

    public Approval asApproval() {
        return new Approval(approver(), Set.copyOf(roles), revision, decidedAt);
    }
}
