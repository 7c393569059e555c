package io.flagledger.approval.policy;

import io.flagledger.contract.approval.ApplyWindow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.common.protection.Protection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which policy a change request gets, and when an apply window is open. */
class PoliciesTest {

    record Rule(String project, String environment, String risk, int approvals, Optional<List<String>> requiredRoles,
                Optional<Duration> approvalValidity, Optional<String> applyWindow, String apply) implements PolicyConfig.Rule {
    }

    record Config(Map<String, PolicyConfig.Rule> rules) implements PolicyConfig {
        public Duration requestTtl() {
            return Duration.ofDays(7);
        }
    }

    /** What every service reads from flagledger.protection: production, two distinct approvers. */
    private static final Protection PROTECTION = Protection.of("production", 2);
    private static final Policies POLICIES;

    static {
        Map<String, PolicyConfig.Rule> rules = new LinkedHashMap<>();
        rules.put("high-risk-production", new Rule("*", "production", "high", 2,
                Optional.of(List.of("product-approver", "security-approver")), Optional.of(Duration.ofHours(24)),
                Optional.empty(), "auto"));
        rules.put("payments-production", new Rule("payments", "production", "*", 3, Optional.empty(), Optional.empty(),
                Optional.of("MON-FRI 09:00-17:00 Europe/Amsterdam"), "requester"));
        rules.put("payments-high-production", new Rule("payments", "production", "high", 3,
                Optional.of(List.of("security-approver")), Optional.empty(), Optional.empty(), "auto"));
        rules.put("staging-high", new Rule("*", "staging", "high", 1, Optional.empty(), Optional.empty(), Optional.empty(), "auto"));
        rules.put("lax-production", new Rule("lax", "production", "*", 1, Optional.empty(), Optional.empty(), Optional.empty(), "auto"));
        POLICIES = new Policies(new Config(rules), PROTECTION);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("shop", "production", null, "default-protected", 2, List.of(), true),
                Arguments.of("shop", "production", "low", "default-protected", 2, List.of(), true),
                Arguments.of("shop", "staging", null, "default", 0, List.of(), true),
                Arguments.of("shop", "development", "high", "default", 0, List.of(), true),
                Arguments.of("shop", "production", "high", "high-risk-production", 2, List.of("product-approver", "security-approver"), true),
                Arguments.of("shop", "production", "HIGH", "high-risk-production", 2, List.of("product-approver", "security-approver"), true),
                Arguments.of("payments", "production", null, "payments-production", 3, List.of(), false),
                Arguments.of("payments", "production", "high", "payments-high-production", 3, List.of("security-approver"), true),
                Arguments.of("payments", "staging", "high", "staging-high", 1, List.of(), true),
                // a policy asking for fewer approvals than the protection is raised to it: flag-api would refuse the token
                Arguments.of("lax", "production", null, "lax-production", 2, List.of(), true));
    }

    @ParameterizedTest(name = "{0}/{1} risk {2} -> {3}")
    @MethodSource("cases")
    void resolve(String project, String environment, String risk, String name, int approvals, List<String> roles, boolean auto) {
        Policy p = POLICIES.resolve(project, environment, risk);
        assertThat(p.name()).isEqualTo(name);
        assertThat(p.approvals()).isEqualTo(approvals);
        assertThat(p.requiredRoles()).isEqualTo(roles);
        assertThat(p.autoApply()).isEqualTo(auto);
    }

    static Stream<Arguments> windows() {
        return Stream.of(
                Arguments.of("2026-04-06T07:00:00Z", true),   // Monday 09:00 in Amsterdam (CEST)
                Arguments.of("2026-04-06T06:59:59Z", false),  // Monday 08:59:59
                Arguments.of("2026-04-10T14:59:59Z", true),   // Friday 16:59:59
                Arguments.of("2026-04-10T15:00:00Z", false),  // Friday 17:00, the end is exclusive
                Arguments.of("2026-04-11T10:00:00Z", false)); // Saturday
    }

    @ParameterizedTest(name = "{0} open: {1}")
    @MethodSource("windows")
    void applyWindow(String at, boolean open) {
        Policy p = POLICIES.resolve("payments", "production", null);
        assertThat(p.applyWindow().allows(Instant.parse(at))).isEqualTo(open);
    }

    @Test
    void windowsWrapAroundTheWeekAndRoundTrip() {
        ApplyWindow w = ApplyWindow.parse("fri-mon 22:00-23:00 UTC");
        assertThat(w.allows(Instant.parse("2026-04-12T22:30:00Z"))).isTrue();  // Sunday
        assertThat(w.allows(Instant.parse("2026-04-08T22:30:00Z"))).isFalse(); // Wednesday
        assertThat(ApplyWindow.parse(w.toString())).isEqualTo(w);
        assertThatThrownBy(() -> ApplyWindow.parse("weekdays 9-5")).hasMessageContaining("MON-FRI");
    }

    @Test
    void anUnknownApplyModeIsRefusedAtStartUp() {
        Map<String, PolicyConfig.Rule> rules = Map.of("bad", new Rule("*", "*", "*", 1, Optional.empty(), Optional.empty(),
                Optional.empty(), "whenever"));
        assertThatThrownBy(() -> new Policies(new Config(rules), PROTECTION)).hasMessageContaining("auto or requester");
    }

    @Test
    void aFlagWideOperationNeedsWhatEveryProtectedEnvironmentNeeds() {
        Map<String, PolicyConfig.Rule> rules = Map.of(
                "eu", new Rule("*", "production-eu", "*", 3, Optional.empty(), Optional.of(Duration.ofHours(8)), Optional.empty(), "auto"),
                "us", new Rule("*", "production-us", "high", 2, Optional.of(List.of("security-approver")), Optional.empty(),
                        Optional.empty(), "auto"));
        Protection two = new Protection(Map.of("production-eu", new Protection.Requirement(2, List.of()),
                "production-us", new Protection.Requirement(2, List.of("product-approver"))));
        Policy p = new Policies(new Config(rules), two).resolveFlagWide("shop", "high");
        assertThat(p.approvals()).isEqualTo(3);
        assertThat(p.requiredRoles()).containsExactlyInAnyOrder("security-approver", "product-approver");
        assertThat(p.approvalValidity()).isEqualTo(Duration.ofHours(8));
        assertThat(new Policies(new Config(Map.of()), PROTECTION).resolveFlagWide("shop", "low").approvals()).isEqualTo(2);
        assertThat(new Policies(new Config(Map.of()), new Protection(Map.of())).resolveFlagWide("shop", "low").approvals()).isZero();
    }
}
