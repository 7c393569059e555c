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

    /** Throws the problem (403, or 409 for a second decision) that refuses {@code actor}'s decision. */
    public static void requireMayDecide(Actor actor, String requesterId, Collection<String> alreadyDecided) {
        if (actor.isService()) {
            throw new ProblemException(403, "A service identity cannot approve or reject a change request");
        }
        if (actor.id().equals(requesterId)) {
            throw new ProblemException(403, "The requester cannot approve or reject their own change request");
        }
        if (actor.roles().stream().noneMatch(APPROVER_ROLES::contains)) {
            throw new ProblemException(403, "Deciding needs one of the roles " + APPROVER_ROLES.stream().sorted().toList());
        }
        if (alreadyDecided.contains(actor.id())) {
            throw ProblemException.conflict("You already decided on this revision of the change request");
        }
    }

    /** Whether {@code actor} could decide (for showing or hiding the buttons in the console). */
    public static boolean mayDecide(Actor actor, String requesterId, Collection<String> alreadyDecided) {
        try {
            requireMayDecide(actor, requesterId, alreadyDecided);
            return true;
        } catch (ProblemException e) {
            return false;
        }
    }
}
