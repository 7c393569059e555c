package io.flagledger.approval.policy;

import io.flagledger.contract.approval.ApplyWindow;
import java.time.Duration;
import java.util.List;

/** The rules one change request must satisfy; copied onto the request when it is filed. */
public record Policy(String name, int approvals, List<String> requiredRoles, Duration approvalValidity,
                     ApplyWindow applyWindow, boolean autoApply) {

    public Policy {
        requiredRoles = requiredRoles == null ? List.of() : List.copyOf(requiredRoles);
        if (approvals < requiredRoles.size()) {
            // each required role needs its own approver, so fewer approvals could never satisfy it
            approvals = requiredRoles.size();
        }
    }
}
