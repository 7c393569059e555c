package io.flagledger.flagapi.security;

import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.roles.ScopedRoles;
import java.util.Collection;
import java.util.Set;

/**
 * Who may do what in flag-api, from the token's roles. Every role may be scoped to a project or to one environment
 * of a project ({@code flag-editor@shop}, {@code flag-editor@shop/staging}, {@code flag-editor@*}{@code /staging};
 * parsed and matched by {@link ScopedRoles} in service-common, nowhere else). Protected environments additionally
 * pass the approval gate.
 * <ul>
 *   <li>{@code flag-editor}: changes environments; creating, editing metadata of, archiving and restoring a flag
 *       touch every environment and need the role for the whole project;</li>
 *   <li>{@code flag-applier} (approval-service): reads, and writes only with an approval token, which the gate then
 *       verifies in every environment, protected or not;</li>
 *   <li>{@code flag-reverter} (monitor-service): only reverts of exactly the latest change ({@code X-Flagledger-Revert-Of});
 *       it reads nothing;</li>
 *   <li>{@code flag-admin}: SDK keys of an environment;</li>
 *   <li>{@code flag-freezer}: sets and lifts incident freezes of a project or environment (and nothing else; it
 *       reads freezes, not flags);</li>
 *   <li>{@code flag-viewer}, and every role above except the reverter: read.</li>
 * </ul>
 * {@code automation} only marks a machine identity and grants nothing here.
 */
public final class Grants {

    public static final String EDITOR = "flag-editor";
    public static final String APPLIER = "flag-applier";
    public static final String REVERTER = "flag-reverter";
    public static final String ADMIN = "flag-admin";
    public static final String FREEZER = "flag-freezer";
    private static final Set<String> READERS = Set.of("flag-viewer", EDITOR, "flag-approver", ADMIN, APPLIER);

    private Grants() {
    }

    /** Reading a project's flags (every environment's state): a reader role anywhere in the project. */
    public static void requireRead(Collection<String> roles, String project) {
        if (!ScopedRoles.of(roles).hasInProject(READERS, project)) {
            throw ProblemException.forbidden("Reading the flags of project '" + project + "' needs one of the roles "
                    + sorted(READERS) + ", unscoped or scoped to the project (e.g. flag-viewer@" + project + ")");
        }
    }

    /** Reading what belongs to one environment of a project (its segments). */
    public static void requireRead(Collection<String> roles, String project, String environment) {
        if (!ScopedRoles.of(roles).has(READERS, project, environment)) {
            throw ProblemException.forbidden("Reading " + project + "/" + environment + " needs one of the roles "
                    + sorted(READERS) + " for that project and environment");
        }
    }

    /**
     * Writing one environment of a project: an editor; an applier only with an approval token; a reverter only
     * with a revert reference. The gate then verifies the token or the revert.
     */
    public static void requireWrite(Collection<String> roles, String project, String environment,
                                    boolean approvalTokenOffered, boolean revertOffered) {
        ScopedRoles scoped = ScopedRoles.of(roles);
        if (scoped.has(EDITOR, project, environment)
                || (approvalTokenOffered && scoped.has(APPLIER, project, environment))
                || (revertOffered && scoped.has(REVERTER, project, environment))) {
            return;
        }
        throw ProblemException.forbidden("Changing " + project + "/" + environment + " needs the role " + EDITOR + " (or "
                + EDITOR + "@" + project + " or " + EDITOR + "@" + project + "/" + environment + "); " + APPLIER
                + " writes only approved changes and " + REVERTER + " only reverts");
    }

    /** Whether the caller may revert a protected environment without approval (the gate still checks the revert). */
    public static boolean mayRevertProtected(Collection<String> roles, String project, String environment) {
        return ScopedRoles.of(roles).has(REVERTER, project, environment);
    }

    /** Creating a flag, changing its metadata, archiving or restoring it: every environment of the project. */
    public static void requireProjectEditor(Collection<String> roles, String project) {
        if (!ScopedRoles.of(roles).has(EDITOR, project, null)) {
            throw ProblemException.forbidden("This affects every environment of project '" + project + "' and needs the role "
                    + EDITOR + " or " + EDITOR + "@" + project);
        }
    }

    /**
     * A flag-wide change (metadata, archive, restore): an editor of the whole project, or an applier of the whole
     * project with an approval token, which the gate verifies is for exactly this operation.
     */
    public static void requireFlagWide(Collection<String> roles, String project, boolean approvalTokenOffered) {
        if (approvalTokenOffered && ScopedRoles.of(roles).has(APPLIER, project, null)) {
            return;
        }
        requireProjectEditor(roles, project);
    }

    /** SDK keys of one environment: issuing one is giving an application that environment's flags. */
    public static void requireAdmin(Collection<String> roles, String project, String environment) {
        if (!ScopedRoles.of(roles).has(ADMIN, project, environment)) {
            throw ProblemException.forbidden("SDK keys of " + project + "/" + environment + " need the role " + ADMIN
                    + " (or " + ADMIN + "@" + project + " or " + ADMIN + "@" + project + "/" + environment + ")");
        }
    }

    /**
     * Setting or lifting a freeze of {@code project} ({@code environment} null: the whole project, which needs the
     * role for the whole project).
     */
    public static void requireFreezer(Collection<String> roles, String project, String environment) {
        if (!ScopedRoles.of(roles).has(FREEZER, project, environment)) {
            String where = environment == null ? project : project + "/" + environment;
            throw ProblemException.forbidden("Freezing or unfreezing " + where + " needs the role " + FREEZER + " (or "
                    + FREEZER + "@" + where + (environment == null ? "" : " or " + FREEZER + "@" + project) + ")");
        }
    }

    /** Lifting some freeze of the project: the freezer role anywhere in it (the freeze's own scope is checked next). */
    public static void requireFreezerInProject(Collection<String> roles, String project) {
        if (!ScopedRoles.of(roles).hasInProject(Set.of(FREEZER), project)) {
            throw ProblemException.forbidden("Unfreezing in project '" + project + "' needs the role " + FREEZER
                    + " for the freeze's project or environment");
        }
    }

    /** Listing a project's freezes: any reader of the project, or a freezer anywhere in it. */
    public static void requireFreezeRead(Collection<String> roles, String project) {
        if (!ScopedRoles.of(roles).hasInProject(Set.of(FREEZER), project)) {
            requireRead(roles, project);
        }
    }

    private static String sorted(Set<String> names) {
        return names.stream().sorted().toList().toString();
    }
}
