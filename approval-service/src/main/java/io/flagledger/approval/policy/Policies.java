package io.flagledger.approval.policy;

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

    @Inject
    public Policies(PolicyConfig config) {
        this.config = config;
        // fail at start-up, not on the first request, when a window is mistyped
        config.rules().values().forEach(r -> r.applyWindow().ifPresent(ApplyWindow::parse));
        config.rules().forEach((name, r) -> {
            if (!List.of("auto", "requester").contains(r.apply())) {
                throw new IllegalArgumentException("flagledger.policies.rules." + name + ".apply must be auto or requester");
            }
        });
    }

    public Policy resolve(String project, String environment, String risk) {
        return config.rules().entrySet().stream()
                .filter(e -> matches(e.getValue().project(), project)
                        && matches(e.getValue().environment(), environment)
                        && matches(e.getValue().risk(), risk))
                .max(Comparator.<Map.Entry<String, PolicyConfig.Rule>>comparingInt(e -> specificity(e.getValue()))
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .map(e -> toPolicy(e.getKey(), e.getValue()))
                .orElseGet(() -> isProtected(environment)
                        ? new Policy("default-protected", config.defaultProtectedApprovals(), List.of(), null, null, true)
                        : new Policy("default", 0, List.of(), null, null, true));
    }

    public java.time.Duration requestTtl() {
        return config.requestTtl();
    }

    public boolean isProtected(String environment) {
        return config.protectedEnvironments().contains(environment);
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
