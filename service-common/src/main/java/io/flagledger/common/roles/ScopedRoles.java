package io.flagledger.common.roles;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles of one caller, parsed once ({@link ScopedRole}), and the questions every service asks of them. The one
 * place where role strings are interpreted: flag-api, approval-service and audit-service ask here.
 */
public final class ScopedRoles {

    private final List<ScopedRole> roles;

    private ScopedRoles(List<ScopedRole> roles) {
        this.roles = roles;
    }

    public static ScopedRoles of(Collection<String> raw) {
        return new ScopedRoles(raw.stream().map(ScopedRole::parse).flatMap(Optional::stream).toList());
    }

    /** Whether one of {@code names} reaches {@code project}/{@code environment} (null: all, see {@link ScopedRole#covers}). */
    public boolean has(Set<String> names, String project, String environment) {
        return roles.stream().anyMatch(r -> names.contains(r.name()) && r.covers(project, environment));
    }

    public boolean has(String name, String project, String environment) {
        return has(Set.of(name), project, environment);
    }

    /**
     * Whether one of {@code names} reaches some environment of {@code project}: for reading what belongs to the
     * project as a whole (a flag lists every environment), where an environment-scoped role is enough.
     */
    public boolean hasInProject(Set<String> names, String project) {
        return roles.stream().anyMatch(r -> names.contains(r.name()) && r.covers(project, r.environment()));
    }

    /** Whether one of {@code names} is held in any scope: enough to ask, the answer is then filtered per item. */
    public boolean hasAnywhere(Set<String> names) {
        return roles.stream().anyMatch(r -> names.contains(r.name()));
    }

    /** Whether one of {@code names} is held without a scope (every project and environment). */
    public boolean hasUnscoped(Set<String> names) {
        return has(names, null, null);
    }

    /**
     * The role names that reach {@code project}/{@code environment}, e.g. {@code [flag-approver, security-approver]}
     * for someone holding {@code security-approver@shop} and {@code flag-approver}: what a decision on a change in
     * that place was made as.
     */
    public List<String> namesCovering(String project, String environment) {
        Set<String> names = new TreeSet<>();
        roles.stream().filter(r -> r.covers(project, environment)).forEach(r -> names.add(r.name()));
        return List.copyOf(names);
    }

    /** The scopes in which one of {@code names} is held (unscoped ones included), for filters and messages. */
    public List<ScopedRole> scopesOf(Set<String> names) {
        return roles.stream().filter(r -> names.contains(r.name())).toList();
    }

    @Override
    public String toString() {
        return roles.toString();
    }
}
