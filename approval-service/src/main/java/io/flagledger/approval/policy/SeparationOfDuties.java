package io.flagledger.approval.policy;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import java.util.Collection;
import java.util.Set;

/** Who may decide on a change request. Checked on every decision, whatever the caller's roles say. */
public final class SeparationOfDuties {

    public static final Set<String> APPROVER_ROLES = Set.of("flag-approver", "product-approver", "security-approver");

    private SeparationOfDuties() {
    }

    /**
     * Throws the problem (403, or 409 for a second decision) that refuses {@code actor}'s decision on a request
     * about {@code project}/{@code environment}.
     */
    public static void requireMayDecide(Actor actor, String project, String environment, String requesterId,
                                        Collection<String> alreadyDecided) {
        if (actor.isService()) {
            throw new ProblemException(403, "A service identity cannot approve or reject a change request");
        }
        if (actor.id().equals(requesterId)) {
            throw new ProblemException(403, "The requester cannot approve or reject their own change request");
        }
        if (!Roles.mayApprove(actor, project, environment)) {
            throw new ProblemException(403, "Deciding on " + project + "/" + environment + " needs one of the roles "
                    + APPROVER_ROLES.stream().sorted().toList() + ", unscoped or scoped to it (e.g. flag-approver@" + project + ")");
        }
        if (alreadyDecided.contains(actor.id())) {
            throw ProblemException.conflict("You already decided on this revision of the change request");
        }
    }

    /** Whether {@code actor} could decide (for showing or hiding the buttons in the console). */
    public static boolean mayDecide(Actor actor, String project, String environment, String requesterId,
                                    Collection<String> alreadyDecided) {
        try {
            requireMayDecide(actor, project, environment, requesterId, alreadyDecided);
            return true;
        } catch (ProblemException e) {
            return false;
        }
    }
}
