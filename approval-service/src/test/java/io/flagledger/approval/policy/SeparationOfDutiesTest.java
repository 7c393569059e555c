package io.flagledger.approval.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.ActorType;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may decide on a request filed by "req" (person req@example.com) and revised by approver "rev"
 * (rev@example.com), with the person claim {@code email} configured.
 */
class SeparationOfDutiesTest {

    private static final List<Party> AUTHORS = List.of(new Party("req", "req@example.com"), new Party("rev", "rev@example.com"));

    private static Actor user(String id, String... roles) {
        return new Actor(id, ActorType.USER, id, null, List.of(roles), id.split("-")[0] + "@example.com");
    }

    private static Party decided(String id) {
        return new Party(id, id.split("-")[0] + "@example.com");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("an approver", user("ann", "flag-approver"), AUTHORS, Set.of(), 0, null),
                Arguments.of("a product approver", user("ann", "product-approver"), AUTHORS, Set.of(), 0, null),
                Arguments.of("a security approver", user("ann", "security-approver"), AUTHORS, Set.of(), 0, null),
                Arguments.of("the requester, even holding an approver role", user("req", "flag-approver", "flag-editor"), AUTHORS,
                        Set.of(), 403, "You filed it"),
                Arguments.of("the approver who wrote revision 2", user("rev", "flag-approver"), AUTHORS, Set.of(), 403,
                        "You wrote revision 2"),
                Arguments.of("a second account of the requester", user("req-second", "flag-approver"), AUTHORS, Set.of(), 403,
                        "another account of yours"),
                Arguments.of("a second account of the reviser", user("rev-second", "flag-approver"), AUTHORS, Set.of(), 403,
                        "You wrote revision 2"),
                Arguments.of("an approver whose token has no person id", new Actor("anon", ActorType.USER, "anon", null,
                        List.of("flag-approver")), AUTHORS, Set.of(), 403, "token claim 'email'"),
                Arguments.of("anyone, when an author was never recorded", user("ann", "flag-approver"),
                        List.of(new Party("req", null), new Party(null, null)), Set.of(), 409, "withdraw it"),
                Arguments.of("a service identity with an approver role", new Actor("svc", ActorType.SERVICE, "ci", null,
                        List.of("automation", "flag-approver")), AUTHORS, Set.of(), 403, "service identity"),
                Arguments.of("an editor without an approver role", user("ed", "flag-editor"), AUTHORS, Set.of(), 403, "roles"),
                Arguments.of("a viewer", user("vi", "flag-viewer"), AUTHORS, Set.of(), 403, "roles"),
                Arguments.of("an approver deciding a second time", user("ann", "flag-approver"), AUTHORS, Set.of(decided("ann")),
                        409, "already decided"),
                Arguments.of("an approver's second account after the first decided", user("ann-second", "flag-approver"), AUTHORS,
                        Set.of(decided("ann")), 409, "another account of yours"),
                Arguments.of("an approver others decided before", user("bob", "flag-approver"), AUTHORS, Set.of(decided("ann")), 0, null),
                Arguments.of("an approver of this project", user("ann", "flag-approver@shop"), AUTHORS, Set.of(), 0, null),
                Arguments.of("a security approver of this project's production", user("ann", "security-approver@shop/production"),
                        AUTHORS, Set.of(), 0, null),
                Arguments.of("an approver of another project", user("ann", "flag-approver@other"), AUTHORS, Set.of(), 403, "roles"),
                Arguments.of("an approver of this project's staging only", user("ann", "flag-approver@shop/staging"), AUTHORS,
                        Set.of(), 403, "roles"),
                Arguments.of("the retired name:scope form grants nothing", user("ann", "flag-approver:shop"), AUTHORS, Set.of(),
                        403, "roles"),
                Arguments.of("a person with every approver role, once", user("all", "flag-approver", "product-approver",
                        "security-approver"), AUTHORS, Set.of(decided("all")), 409, "already decided"));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("cases")
    void decide(String name, Actor actor, List<Party> authors, Set<Party> decided, int refusal, String says) {
        if (refusal == 0) {
            assertThatCode(() -> SeparationOfDuties.requireMayDecide(actor, "shop", "production", authors, decided, "email")).doesNotThrowAnyException();
            assertThat(SeparationOfDuties.mayDecide(actor, "shop", "production", authors, decided, "email")).isTrue();
        } else {
            ProblemException e = catchThrowableOfType(ProblemException.class,
                    () -> SeparationOfDuties.requireMayDecide(actor, "shop", "production", authors, decided, "email"));
            assertThat(e.status()).isEqualTo(refusal);
            assertThat(e.getMessage()).contains(says);
            assertThat(SeparationOfDuties.mayDecide(actor, "shop", "production", authors, decided, "email")).isFalse();
        }
    }

    @ParameterizedTest(name = "without a person claim, {0}")
    @MethodSource("withoutPersonClaim")
    void withoutAPersonClaimOnlyAccountsAreCompared(String name, Actor actor, int refusal) {
        List<Party> authors = List.of(new Party("req", null));
        if (refusal == 0) {
            assertThat(SeparationOfDuties.mayDecide(actor, "shop", "production", authors, Set.of(), null)).isTrue();
        } else {
            assertThat(catchThrowableOfType(ProblemException.class,
                    () -> SeparationOfDuties.requireMayDecide(actor, "shop", "production", authors, Set.of(), null)).status()).isEqualTo(refusal);
        }
    }

    static Stream<Arguments> withoutPersonClaim() {
        return Stream.of(
                Arguments.of("the requester is refused", new Actor("req", ActorType.USER, "req", null, List.of("flag-approver")), 403),
                Arguments.of("an approver without a person id decides", new Actor("ann", ActorType.USER, "ann", null,
                        List.of("flag-approver")), 0));
    }
}
