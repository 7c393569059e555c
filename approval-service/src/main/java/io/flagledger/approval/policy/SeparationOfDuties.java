package io.flagledger.approval.policy;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Who may write and who may decide on a change request. Checked on every revision and decision, whatever the
 * caller's roles say. People are compared by account and, when a person claim is configured
 * ({@code flagledger.identity.person-claim}), by person: a second account of the same person is the same person.
 */
public final class SeparationOfDuties {

    public static final Set<String> APPROVER_ROLES = Set.of("flag-approver", "product-approver", "security-approver");

    /** The rule a refusal names, so a client (and a reader of the ledger) can tell which rule applied. */
    public static final String AUTHOR_RULE = "Separation of duties: no author of any revision of a change request may "
            + "approve or reject it";

    private SeparationOfDuties() {
    }

    /**
     * With a person claim configured, every person who writes or decides must carry it: an account without it could
     * otherwise be the second account of an author or approver, and nothing would tell.
     */
    public static void requireIdentifiable(Actor actor, String personClaim) {
        if (personClaim != null && !actor.isService() && actor.person() == null) {
            throw new ProblemException(403, "Flagledger tells people apart by the token claim '" + personClaim + "'"
                    + ("email".equals(personClaim) ? " (a verified email)" : "") + ", and your token carries none: "
                    + "ask the identity provider's administrators to add it before you file, edit or decide change requests");
        }
    }

    /**
     * Throws the problem (403, or 409 for a second decision) that refuses {@code actor}'s decision on a request
     * about {@code project}/{@code environment} written by {@code authors} (revision 1 first; an entry with a null id is an author nobody recorded) on whose
     * current revision {@code alreadyDecided} decided.
     */
    public static void requireMayDecide(Actor actor, String project, String environment, List<Party> authors,
                                        Collection<Party> alreadyDecided, String personClaim) {
        if (actor.isService()) {
            throw new ProblemException(403, "A service identity cannot approve or reject a change request");
        }
        requireIdentifiable(actor, personClaim);
        for (int i = 0; i < authors.size(); i++) {
            Party author = authors.get(i);
            if (author.id() == null) {
                throw ProblemException.conflict("Revision " + (i + 1) + " of this change request was written before "
                        + "Flagledger recorded revision authors, so nobody can be shown not to be its author: withdraw it "
                        + "and file it again");
            }
            if (actor.isSameAs(author.id(), author.person())) {
                throw new ProblemException(403, AUTHOR_RULE + ". " + (i == 0 ? "You filed it" : "You wrote revision " + (i + 1))
                        + (actor.id().equals(author.id()) ? "" : " (with another account of yours, " + author.person() + ")")
                        + ".");
            }
        }
        if (!Roles.mayApprove(actor, project, environment)) {
            throw new ProblemException(403, "Deciding on " + project + "/" + environment + " needs one of the roles "
                    + APPROVER_ROLES.stream().sorted().toList() + ", unscoped or scoped to it (e.g. flag-approver@" + project + ")");
        }
        if (alreadyDecided.stream().anyMatch(d -> actor.isSameAs(d.id(), d.person()))) {
            throw ProblemException.conflict("You already decided on this revision of the change request"
                    + (alreadyDecided.stream().anyMatch(d -> actor.id().equals(d.id())) ? "" : " (with another account of yours)"));
        }
    }

    /** Whether {@code actor} could decide (for showing or hiding the buttons in the console). */
    public static boolean mayDecide(Actor actor, String project, String environment, List<Party> authors,
                                    Collection<Party> alreadyDecided, String personClaim) {
        try {
            requireMayDecide(actor, project, environment, authors, alreadyDecided, personClaim);
            return true;
        } catch (ProblemException e) {
            return false;
        }
    }
}
