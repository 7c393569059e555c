package io.flagledger.approval.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the approvals of a change request satisfy its policy. Only approvals of the current revision that
 * have not lapsed count; a person counts once however many roles (or accounts, when their person id is known) they
 * hold, and each required role must be
 * covered by a different person (a bipartite matching, so the assignment that covers most roles is found).
 */
public record Tally(boolean satisfied, int counted, int required, List<String> missingRoles) {

    public static Tally of(Policy policy, int revision, List<Approval> approvals, Instant now) {
        Map<String, Approval> valid = new LinkedHashMap<>();
        for (Approval a : approvals) {
            boolean current = a.revision() == revision;
            boolean fresh = policy.approvalValidity() == null || a.decidedAt().plus(policy.approvalValidity()).isAfter(now);
            if (current && fresh) {
                valid.putIfAbsent(a.approver().countedAs(), a);
            }
        }
        List<String> missing = uncoveredRoles(policy.requiredRoles(), new ArrayList<>(valid.values()));
        int counted = valid.size();
        return new Tally(counted >= policy.approvals() && missing.isEmpty(), counted, policy.approvals(), missing);
    }

    /** Kuhn's augmenting paths: roles are few, approvers are few. */
    private static List<String> uncoveredRoles(List<String> roles, List<Approval> approvers) {
        Map<Integer, Integer> approverOfRole = new HashMap<>();
        Map<Integer, Integer> roleOfApprover = new HashMap<>();
        for (int r = 0; r < roles.size(); r++) {
            assign(r, roles, approvers, approverOfRole, roleOfApprover, new boolean[approvers.size()]);
        }
        List<String> missing = new ArrayList<>();
        for (int r = 0; r < roles.size(); r++) {
            if (!approverOfRole.containsKey(r)) {
                missing.add(roles.get(r));
            }
        }
        return missing;
    }

    private static boolean assign(int role, List<String> roles, List<Approval> approvers, Map<Integer, Integer> approverOfRole,
                                  Map<Integer, Integer> roleOfApprover, boolean[] seen) {
        for (int a = 0; a < approvers.size(); a++) {
            if (seen[a] || !approvers.get(a).roles().contains(roles.get(role))) {
                continue;
            }
            seen[a] = true;
            Integer other = roleOfApprover.get(a);
            if (other == null || assign(other, roles, approvers, approverOfRole, roleOfApprover, seen)) {
                approverOfRole.put(role, a);
                roleOfApprover.put(a, role);
                return true;
            }
        }
        return false;
    }
}
