package io.flagledger.flagapi.security;

import io.flagledger.common.problem.ProblemException;
import java.util.Collection;
import java.util.Set;

/**
 * Who may read and write flags, from the token's roles. {@code flag-editor} writes every environment;
 * {@code flag-editor:<environment>} writes only that one (e.g. {@code flag-editor:staging}). Creating a flag touches
 * every environment, so it needs the unscoped role. Protected environments additionally pass the approval gate.
 */
public final class Grants {

    public static final String EDITOR = "flag-editor";
    private static final Set<String> READERS = Set.of("flag-viewer", EDITOR, "flag-approver", "flag-admin", "automation");

    private Grants() {
    }

    public static boolean canRead(Collection<String> roles) {
        return roles.stream().anyMatch(r -> READERS.contains(r) || r.startsWith(EDITOR + ":"));
    }

    public static boolean canWrite(Collection<String> roles, String environment) {
        return roles.contains(EDITOR) || roles.contains(EDITOR + ":" + environment);
    }

    public static void requireRead(Collection<String> roles) {
        if (!canRead(roles)) {
            throw ProblemException.forbidden("Reading flags needs one of the roles " + READERS + " or flag-editor:<environment>");
        }
    }

    public static void requireWrite(Collection<String> roles, String environment) {
        if (!canWrite(roles, environment)) {
            throw ProblemException.forbidden("Changing '" + environment + "' needs the role " + EDITOR + " or "
                    + EDITOR + ":" + environment);
        }
    }

    public static void requireUnscopedEditor(Collection<String> roles) {
        if (!roles.contains(EDITOR)) {
            throw ProblemException.forbidden("Creating a flag affects every environment and needs the role " + EDITOR);
        }
    }
}
