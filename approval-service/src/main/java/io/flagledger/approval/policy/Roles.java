package io.flagledger.approval.policy;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.roles.ScopedRoles;
import io.quarkus.security.ForbiddenException;
import java.util.HashSet;
import java.util.Set;

/**
 * Which roles may do what with change requests, for the project and environment a request is about. Roles may be
 * scoped ({@code flag-approver@shop}, {@code flag-editor@shop/staging}; see {@link ScopedRoles}): an approver of
 * project A neither sees nor decides project B's requests. A caller who holds none of the roles in any scope gets
 * the generic role refusal; one who holds them elsewhere gets a 403 naming the project and environment.
 */
public final class Roles {

    public static final Set<String> EDITORS = Set.of("flag-editor");
    public static final Set<String> APPROVERS = SeparationOfDuties.APPROVER_ROLES;
    public static final Set<String> EDITORS_AND_APPROVERS = union(EDITORS, APPROVERS);
    /** Who reads change requests: Flagledger's users, auditors included (who approved what is audit evidence). */
    public static final Set<String> READERS = union(Set.of("flag-viewer", "flag-admin", "audit-reader", "audit-exporter",
            "audit-admin"), EDITORS, APPROVERS);

    private Roles() {
    }

    public static boolean mayRead(Actor actor, String project, String environment) {
        return ScopedRoles.of(actor.roles()).has(READERS, project, environment);
    }

    /** A flag's page (its requests in every environment): a reader role anywhere in the project. */
    public static boolean mayReadProject(Actor actor, String project) {
        return ScopedRoles.of(actor.roles()).hasInProject(READERS, project);
    }

    public static boolean mayFile(Actor actor, String project, String environment) {
        return ScopedRoles.of(actor.roles()).has(EDITORS, project, environment);
    }

    public static boolean mayApprove(Actor actor, String project, String environment) {
        return ScopedRoles.of(actor.roles()).has(APPROVERS, project, environment);
    }

    /** The role gate of an endpoint: one of {@code names}, in any scope (403 "Your roles do not allow this operation"). */
    public static void requireAnywhere(Actor actor, Set<String> names) {
        if (!ScopedRoles.of(actor.roles()).hasAnywhere(names)) {
            throw new ForbiddenException();
        }
    }

    public static void requireRead(Actor actor, String project, String environment) {
        requireAnywhere(actor, READERS);
        if (!mayRead(actor, project, environment)) {
            throw refused("read change requests of", project, environment);
        }
    }

    public static void requireFile(Actor actor, String project, String environment) {
        requireAnywhere(actor, EDITORS);
        if (!mayFile(actor, project, environment)) {
            throw refused("file change requests for", project, environment);
        }
    }

    static ProblemException refused(String what, String project, String environment) {
        return ProblemException.forbidden("Your roles do not allow you to " + what + " " + project + "/" + environment
                + ": they are scoped to other projects or environments");
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }
}
