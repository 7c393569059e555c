package io.flagledger.approval.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which approvals satisfy which policy, at a controlled instant. */
class TallyTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-04-06T12:00:00Z"), ZoneOffset.UTC);
    private static final Policy TWO = new Policy("two", 2, List.of(), null, null, true);
    private static final Policy NONE = new Policy("none", 0, List.of(), null, null, true);
    private static final Policy PRODUCT_AND_SECURITY =
            new Policy("high", 2, List.of("product-approver", "security-approver"), null, null, true);
    private static final Policy ONE_PRODUCT = new Policy("one-product", 1, List.of("product-approver"), null, null, true);
    private static final Policy TWO_WITHIN_A_DAY = new Policy("fresh", 2, List.of(), Duration.ofHours(24), null, true);

    /** approver id, roles, revision, hours ago */
    private static Approval a(String id, int revision, long hoursAgo, String... roles) {
        return new Approval(new Party(id, null), Set.of(roles), revision, CLOCK.instant().minus(Duration.ofHours(hoursAgo)));
    }

    /** An approval by account {@code id} of person {@code person}. */
    private static Approval p(String id, String person, String... roles) {
        return new Approval(new Party(id, person), Set.of(roles), 1, CLOCK.instant().minus(Duration.ofHours(1)));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no approval needed", NONE, List.of(), true, 0, List.of()),
                Arguments.of("two approvers", TWO, List.of(a("ann", 1, 1, "flag-approver"), a("bob", 1, 1, "flag-approver")), true, 2, List.of()),
                Arguments.of("one approver is not two", TWO, List.of(a("ann", 1, 1, "flag-approver")), false, 1, List.of()),
                Arguments.of("the same person twice counts once", TWO,
                        List.of(a("ann", 1, 2, "flag-approver"), a("ann", 1, 1, "flag-approver")), false, 1, List.of()),
                Arguments.of("two accounts of one person count once", TWO,
                        List.of(p("ann-work", "ann@example.com", "flag-approver"), p("ann-home", "ann@example.com", "flag-approver")),
                        false, 1, List.of()),
                Arguments.of("two accounts of one person cover one required role, not two", PRODUCT_AND_SECURITY,
                        List.of(p("ann-work", "ann@example.com", "product-approver"), p("ann-home", "ann@example.com", "security-approver")),
                        false, 1, List.of("security-approver")),
                Arguments.of("two people with person ids", TWO,
                        List.of(p("ann", "ann@example.com", "flag-approver"), p("bob", "bob@example.com", "flag-approver")),
                        true, 2, List.of()),
                Arguments.of("approvals of an earlier revision do not count", TWO,
                        List.of(a("ann", 1, 1, "flag-approver"), a("bob", 2, 1, "flag-approver")), false, 1, List.of()),
                Arguments.of("product and security by two people", PRODUCT_AND_SECURITY,
                        List.of(a("ann", 1, 1, "product-approver"), a("bob", 1, 1, "security-approver")), true, 2, List.of()),
                Arguments.of("one person holding both roles counts once", PRODUCT_AND_SECURITY,
                        List.of(a("ann", 1, 1, "product-approver", "security-approver")), false, 1, List.of("security-approver")),
                Arguments.of("two product approvers leave security missing", PRODUCT_AND_SECURITY,
                        List.of(a("ann", 1, 1, "product-approver"), a("bob", 1, 1, "product-approver")), false, 2,
                        List.of("security-approver")),
                Arguments.of("a dual-role person and a product approver cover both", PRODUCT_AND_SECURITY,
                        List.of(a("ann", 1, 1, "product-approver", "security-approver"), a("bob", 1, 1, "product-approver")),
                        true, 2, List.of()),
                Arguments.of("roles needed, plain approvers only", PRODUCT_AND_SECURITY,
                        List.of(a("ann", 1, 1, "flag-approver"), a("bob", 1, 1, "flag-approver")), false, 2,
                        List.of("product-approver", "security-approver")),
                Arguments.of("one product approver suffices", ONE_PRODUCT, List.of(a("ann", 1, 1, "product-approver")), true, 1, List.of()),
                Arguments.of("approvals within the validity window", TWO_WITHIN_A_DAY,
                        List.of(a("ann", 1, 23, "flag-approver"), a("bob", 1, 1, "flag-approver")), true, 2, List.of()),
                Arguments.of("an approval older than the window lapses", TWO_WITHIN_A_DAY,
                        List.of(a("ann", 1, 25, "flag-approver"), a("bob", 1, 1, "flag-approver")), false, 1, List.of()),
                Arguments.of("exactly at the window's end it has lapsed", TWO_WITHIN_A_DAY,
                        List.of(a("ann", 1, 24, "flag-approver"), a("bob", 1, 1, "flag-approver")), false, 1, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tally(String name, Policy policy, List<Approval> approvals, boolean satisfied, int counted, List<String> missing) {
        Tally tally = Tally.of(policy, revisionOf(approvals), approvals, CLOCK.instant());
        assertThat(tally.satisfied()).as("satisfied").isEqualTo(satisfied);
        assertThat(tally.counted()).as("counted").isEqualTo(counted);
        assertThat(tally.missingRoles()).as("missing roles").isEqualTo(missing);
    }

    @ParameterizedTest(name = "policy with {0} approvals and roles {1} needs {2}")
    @MethodSource("minimums")
    void requiredRolesRaiseTheMinimum(int approvals, List<String> roles, int required) {
        assertThat(new Policy("p", approvals, roles, null, null, true).approvals()).isEqualTo(required);
    }

    static Stream<Arguments> minimums() {
        return Stream.of(Arguments.of(0, List.of("security-approver"), 1),
                Arguments.of(1, List.of("product-approver", "security-approver"), 2),
                Arguments.of(3, List.of("product-approver"), 3));
    }

    /** The current revision: the latest any approval names (1 when none). */
    private static int revisionOf(List<Approval> approvals) {
        return approvals.stream().mapToInt(Approval::revision).max().orElse(1);
    }

}
