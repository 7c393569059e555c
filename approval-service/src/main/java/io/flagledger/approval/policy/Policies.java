package io.flagledger.approval.policy;

import io.flagledger.contract.approval.ApplyWindow;
import io.flagledger.common.protection.Protection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Chooses the policy of a change request: the most specific configured rule, else the default. */
@ApplicationScoped
public class Policies {

    private final PolicyConfig config;
    private final Protection protection;

    @Inject
    public Policies(PolicyConfig config, Protection protection) {
        this.config = config;
        this.protection = protection;
        // fail at start-up, not on the first request, when a window is mistyped
        config.rules().values().forEach(r -> r.applyWindow().ifPresent(ApplyWindow::parse));
        config.rules().forEach((name, r) -> {
            if (!List.of("auto", "requester").contains(r.apply())) {
                throw new IllegalArgumentException("flagledger.policies.rules." + name + ".apply must be auto or requester");
            }
        });
    }

    /** The policy of a change to {@code environment}: never weaker than what the environment's protection requires. */
    public Policy resolve(String project, String environment, String risk) {
        return atLeast(configured(project, environment, risk), protection.requirement(environment));
    }

    /**
     * The policy of a flag-wide operation (archive, restore, metadata): it lands in every environment, so every
     * protected environment's policy must be satisfied at once: the most approvals, every required role, the
     * shortest validity; applied automatically only when all of them are.
     */
    public Policy resolveFlagWide(String project, String risk) {
        Policy all = new Policy("default", 0, List.of(), null, null, true);
        List<String> names = new java.util.ArrayList<>();
        for (String environment : protection.protectedEnvironments().stream().sorted().toList()) {
            Policy p = resolve(project, environment, risk);
            names.add(p.name());
            java.util.Set<String> roles = new java.util.LinkedHashSet<>(all.requiredRoles());
            roles.addAll(p.requiredRoles());
            java.time.Duration validity = all.approvalValidity() == null ? p.approvalValidity()
                    : p.approvalValidity() == null ? all.approvalValidity()
                    : p.approvalValidity().compareTo(all.approvalValidity()) < 0 ? p.approvalValidity() : all.approvalValidity();
            all = new Policy(String.join("+", names.stream().distinct().toList()), Math.max(all.approvals(), p.approvals()),
                    List.copyOf(roles), validity, all.applyWindow() != null ? all.applyWindow() : p.applyWindow(),
                    all.autoApply() && p.autoApply());
        }
        return all;
    }

    private Policy configured(String project, String environment, String risk) {
        return config.rules().entrySet().stream()
                .filter(e -> matches(e.getValue().project(), project)
                        && matches(e.getValue().environment(), environment)
                        && matches(e.getValue().risk(), risk))
                .max(Comparator.<Map.Entry<String, PolicyConfig.Rule>>comparingInt(e -> specificity(e.getValue()))
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(e -> toPolicy(e.getKey(), e.getValue()))
                .orElseGet(() -> protection.isProtected(environment)
                        ? new Policy("default-protected", 0, List.of(), null, null, true)
                        : new Policy("default", 0, List.of(), null, null, true));
    }

    /** flag-api refuses a token with fewer approvers than the protection asks, so no policy may ask for fewer. */
    private static Policy atLeast(Policy p, Protection.Requirement floor) {
        if (p.approvals() >= floor.minApprovers() && p.requiredRoles().containsAll(floor.requiredRoles())) {
            return p;
        }
        java.util.Set<String> roles = new java.util.LinkedHashSet<>(p.requiredRoles());
        roles.addAll(floor.requiredRoles());
        return new Policy(p.name(), Math.max(p.approvals(), floor.minApprovers()), List.copyOf(roles), p.approvalValidity(),
                p.applyWindow(), p.autoApply());
    }

    public java.time.Duration requestTtl() {
        return config.requestTtl();
    }

    private static Policy toPolicy(String name, PolicyConfig.Rule r) {
        return new Policy(name, r.approvals(), r.requiredRoles().orElse(List.of()), r.approvalValidity().orElse(null),
                r.applyWindow().map(ApplyWindow::parse).orElse(null), "auto".equals(r.apply()));
    }

    private static boolean matches(String pattern, String value) {
        return "*".equals(pattern) || (value != null && pattern.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT)));
    }

    private static int specificity(PolicyConfig.Rule r) {
        return ("*".equals(r.project()) ? 0 : 1) + ("*".equals(r.environment()) ? 0 : 1) + ("*".equals(r.risk()) ? 0 : 1);
    }
}
