package io.flagledger.audit.access;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.roles.ScopedRoles;
import io.quarkus.security.ForbiddenException;
import java.util.Set;

/**
 * What a ledger reader may see. {@code audit-reader} (or {@code audit-admin}) unscoped reads everything; scoped to a
 * project ({@code audit-reader@shop}) or to one of its environments ({@code audit-reader@shop/production}) it reads
 * only entries of that project (and environment). The scope is enforced by the query itself: a scoped reader must
 * name a project (and, when scoped to an environment, that environment) the role covers, and the exact-match
 * filter then returns nothing else. Entries without a project (security events, monitor self-checks) are for
 * unscoped readers only.
 */
public final class ReaderScope {

    public static final Set<String> READERS = Set.of("audit-reader", "audit-admin");

    private ReaderScope() {
    }

    /** Some reader role in some scope; otherwise the generic 403 of a role gate. */
    public static void requireAnywhere(Actor actor) {
        if (!ScopedRoles.of(actor.roles()).hasAnywhere(READERS)) {
            throw new ForbiddenException();
        }
    }

    /** A search or timeline on {@code project}/{@code environment} (null: all of them). */
    public static void requireCovers(Actor actor, String project, String environment) {
        requireAnywhere(actor);
        ScopedRoles roles = ScopedRoles.of(actor.roles());
        if (roles.hasUnscoped(READERS)) {
            return;
        }
        if (project == null || project.isBlank()) {
            throw ProblemException.forbidden("Your audit-reader role is scoped to " + roles.scopesOf(READERS)
                    + ": name the project to search (project=...)");
        }
        if (!roles.has(READERS, project, environment == null || environment.isBlank() ? null : environment)) {
            throw ProblemException.forbidden("Your audit-reader role is scoped to " + roles.scopesOf(READERS)
                    + " and does not reach " + project + (environment == null || environment.isBlank() ? "" : "/" + environment)
                    + (environment == null || environment.isBlank() ? " (name the environment you may read)" : ""));
        }
    }
}
