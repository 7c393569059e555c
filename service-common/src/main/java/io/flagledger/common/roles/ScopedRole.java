package io.flagledger.common.roles;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One role as the identity provider sends it, with an optional scope:
 * <ul>
 *   <li>{@code flag-editor}: every project and environment;</li>
 *   <li>{@code flag-editor@shop}: every environment of project {@code shop};</li>
 *   <li>{@code flag-editor@shop/staging}: only {@code staging} of {@code shop};</li>
 *   <li>{@code flag-editor@*}{@code /staging}: {@code staging} of every project (the old {@code flag-editor:staging}).</li>
 * </ul>
 * {@code @} and {@code /} never occur in role names, project keys or environment names, so the form is unambiguous
 * (the old {@code :} could have meant either a project or an environment). A value that does not follow this form,
 * including the retired {@code name:environment}, grants nothing: a typo in the identity provider fails closed.
 */
public record ScopedRole(String name, String project, String environment) {

    /** Stands for every project, only together with an environment. */
    public static final String ANY_PROJECT = "*";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    // The same alphabets as flag-api's project keys and environment names.
    private static final Pattern PROJECT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    public ScopedRole {
        Objects.requireNonNull(name, "name");
        if (project == null && environment != null) {
            throw new IllegalArgumentException("an environment scope needs a project (or " + ANY_PROJECT + ")");
        }
    }

    /** The role, or empty when {@code raw} is not of the form above (then it grants nothing). */
    public static Optional<ScopedRole> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        int at = raw.indexOf('@');
        String name = at < 0 ? raw : raw.substring(0, at);
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        if (at < 0) {
            return Optional.of(new ScopedRole(name, null, null));
        }
        String scope = raw.substring(at + 1);
        int slash = scope.indexOf('/');
        String project = slash < 0 ? scope : scope.substring(0, slash);
        String environment = slash < 0 ? null : scope.substring(slash + 1);
        boolean anyProject = ANY_PROJECT.equals(project);
        if (!(anyProject || PROJECT.matcher(project).matches())
                || (environment != null && !ENVIRONMENT.matcher(environment).matches())
                || (anyProject && environment == null)) { // "name@*" would be the unscoped role in disguise
            return Optional.empty();
        }
        return Optional.of(new ScopedRole(name, project, environment));
    }

    /**
     * Whether this role reaches {@code project}/{@code environment}; a null argument means "all of them", so an
     * operation on a whole flag (every environment) asks with a null environment and needs a role without an
     * environment scope, and a question about every project needs the unscoped role (or {@code *}/env for one env).
     */
    public boolean covers(String project, String environment) {
        if ("*".equals(environment)) {
            environment = null; // a flag-wide request (ApprovalClaims.ALL_ENVIRONMENTS): every environment
        }
        if (this.project == null) {
            return true;
        }
        boolean projectCovered = ANY_PROJECT.equals(this.project) || this.project.equals(project);
        boolean environmentCovered = this.environment == null || this.environment.equals(environment);
        return projectCovered && environmentCovered;
    }

    public boolean isScoped() {
        return project != null;
    }

    @Override
    public String toString() {
        return project == null ? name : environment == null ? name + "@" + project : name + "@" + project + "/" + environment;
    }
}
