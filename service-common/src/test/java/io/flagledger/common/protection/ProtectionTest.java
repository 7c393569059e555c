package io.flagledger.common.protection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one definition of protected environments: resolved per environment, and refused at start-up when it is unsafe. */
class ProtectionTest {

    record Config(Set<String> protectedEnvironments, int defaultMinApprovers, Map<String, Requirement> environments)
            implements ProtectionConfig {
    }

    record Requirement(OptionalInt minApprovers, Optional<List<String>> requiredRoles) implements ProtectionConfig.Requirement {
    }

    @Test
    void eachProtectedEnvironmentGetsItsOwnOrTheDefaultRequirement() {
        Protection p = new Protection(new Config(Set.of("production", "production-us"), 2, Map.of("production-us",
                new Requirement(OptionalInt.of(3), Optional.of(List.of("security-approver"))))));
        assertThat(p.isProtected("production")).isTrue();
        assertThat(p.isProtected("staging")).isFalse();
        assertThat(p.isProtected(null)).isFalse();
        assertThat(p.requirement("production")).isEqualTo(new Protection.Requirement(2, List.of()));
        assertThat(p.requirement("staging").minApprovers()).isZero();
        assertThat(p.strictest(List.of("staging", "production", "production-us")))
                .isEqualTo(new Protection.Requirement(3, List.of("security-approver")));
        assertThat(p.protectedAmong(List.of("development", "production", "staging"))).containsExactly("production");
        // each required role needs its own approver
        assertThat(new Protection.Requirement(1, List.of("a", "b")).minApprovers()).isEqualTo(2);
    }

    @Test
    void aProtectedEnvironmentThatNeedsNoApproverOrARequirementForAnUnprotectedOneIsRefused() {
        assertThatThrownBy(() -> new Protection(new Config(Set.of("production"), 0, Map.of())))
                .hasMessageContaining("at least one approver");
        assertThatThrownBy(() -> new Protection(new Config(Set.of("production"), 2,
                Map.of("production", new Requirement(OptionalInt.of(0), Optional.empty())))))
                .hasMessageContaining("at least one approver");
        assertThatThrownBy(() -> new Protection(new Config(Set.of("production"), 2,
                Map.of("prod", new Requirement(OptionalInt.of(3), Optional.empty())))))
                .hasMessageContaining("'prod' is not in flagledger.protection.protected-environments");
    }
}
