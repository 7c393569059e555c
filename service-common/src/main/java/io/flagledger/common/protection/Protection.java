package io.flagledger.common.protection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** {@link ProtectionConfig}, checked at start-up and resolved per environment. */
@ApplicationScoped
public class Protection {

    /** What a change needs: at least {@code minApprovers} distinct approvers covering {@code requiredRoles}. */
    public record Requirement(int minApprovers, List<String> requiredRoles) {

        public static final Requirement NONE = new Requirement(0, List.of());

        public Requirement {
            requiredRoles = List.copyOf(requiredRoles);
            // each required role needs its own approver, so fewer approvers could never satisfy it
            minApprovers = Math.max(minApprovers, requiredRoles.size());
        }

        /** Both requirements at once: the larger count, every role of either. */
        public Requirement and(Requirement other) {
            Set<String> roles = new LinkedHashSet<>(requiredRoles);
            roles.addAll(other.requiredRoles);
            return new Requirement(Math.max(minApprovers, other.minApprovers), new ArrayList<>(roles));
        }
    }

    private final Map<String, Requirement> byEnvironment;

    @Inject
    public Protection(ProtectionConfig config) {
        this(resolve(config));
    }

    /** For tests and tools without CDI. */
    public Protection(Map<String, Requirement> byEnvironment) {
        this.byEnvironment = Map.copyOf(byEnvironment);
    }

    public static Protection of(String environment, int minApprovers, String... requiredRoles) {
        return new Protection(Map.of(environment, new Requirement(minApprovers, List.of(requiredRoles))));
    }

    private static Map<String, Requirement> resolve(ProtectionConfig config) {
        Map<String, Requirement> out = new TreeMap<>();
        for (String name : config.environments().keySet()) {
            if (!config.protectedEnvironments().contains(name)) {
                // a requirement for an environment nobody protects is a typo or a half-done change: fail at start-up
                throw new IllegalArgumentException("flagledger.protection.environments.\"" + name + "\" is set but '"
                        + name + "' is not in flagledger.protection.protected-environments "
                        + config.protectedEnvironments());
            }
        }
        for (String name : config.protectedEnvironments()) {
            ProtectionConfig.Requirement r = config.environments().get(name);
            int min = r == null ? config.defaultMinApprovers() : r.minApprovers().orElse(config.defaultMinApprovers());
            if (min < 1) {
                throw new IllegalArgumentException("flagledger.protection: '" + name + "' is protected, so it needs at "
                        + "least one approver (min-approvers " + min + ")");
            }
            out.put(name, new Requirement(min, r == null ? List.of() : r.requiredRoles().orElse(List.of())));
        }
        return out;
    }

    public boolean isProtected(String environment) {
        return environment != null && byEnvironment.containsKey(environment);
    }

    public Set<String> protectedEnvironments() {
        return byEnvironment.keySet();
    }

    /** What a change of {@code environment} needs; {@link Requirement#NONE} when it is not protected. */
    public Requirement requirement(String environment) {
        return Optional.ofNullable(environment).map(byEnvironment::get).orElse(Requirement.NONE);
    }

    /** A change that affects several environments at once needs what the strictest of them needs. */
    public Requirement strictest(Collection<String> environments) {
        Requirement all = Requirement.NONE;
        for (String environment : environments) {
            all = all.and(requirement(environment));
        }
        return all;
    }

    /** The protected ones among {@code environments}, in their order. */
    public List<String> protectedAmong(Collection<String> environments) {
        return environments.stream().filter(this::isProtected).toList();
    }
}
