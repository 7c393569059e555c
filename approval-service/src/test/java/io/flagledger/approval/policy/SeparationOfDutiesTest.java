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

/** Who may decide on a request filed by "req" about shop/production. */
class SeparationOfDutiesTest {

    private static Actor user(String id, String... roles) {
        return new Actor(id, ActorType.USER, id, null, List.of(roles));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("an approver", user("ann", "flag-approver"), Set.of(), 0),
                Arguments.of("a product approver", user("ann", "product-approver"), Set.of(), 0),
                Arguments.of("a security approver", user("ann", "security-approver"), Set.of(), 0),
                Arguments.of("the requester, even holding an approver role", user("req", "flag-approver", "flag-editor"), Set.of(), 403),
                Arguments.of("a service identity with an approver role", new Actor("svc", ActorType.SERVICE, "ci", null,
                        List.of("automation", "flag-approver")), Set.of(), 403),
                Arguments.of("an editor without an approver role", user("ed", "flag-editor"), Set.of(), 403),
                Arguments.of("a viewer", user("vi", "flag-viewer"), Set.of(), 403),
                Arguments.of("an approver deciding a second time", user("ann", "flag-approver"), Set.of("ann"), 409),
                Arguments.of("an approver others decided before", user("bob", "flag-approver"), Set.of("ann"), 0),
                Arguments.of("an approver of this project", user("ann", "flag-approver@shop"), Set.of(), 0),
                Arguments.of("a security approver of this project's production", user("ann", "security-approver@shop/production"), Set.of(), 0),
                Arguments.of("an approver of another project", user("ann", "flag-approver@other"), Set.of(), 403),
                Arguments.of("an approver of this project's staging only", user("ann", "flag-approver@shop/staging"), Set.of(), 403),
                Arguments.of("the retired name:scope form grants nothing", user("ann", "flag-approver:shop"), Set.of(), 403),
                Arguments.of("a person with every approver role, once", user("all", "flag-approver", "product-approver",
                        "security-approver"), Set.of("all"), 409));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("cases")
    void decide(String name, Actor actor, Set<String> decided, int refusal) {
        if (refusal == 0) {
            assertThatCode(() -> SeparationOfDuties.requireMayDecide(actor, "shop", "production", "req", decided)).doesNotThrowAnyException();
            assertThat(SeparationOfDuties.mayDecide(actor, "shop", "production", "req", decided)).isTrue();
        } else {
            ProblemException e = catchThrowableOfType(ProblemException.class,
                    () -> SeparationOfDuties.requireMayDecide(actor, "shop", "production", "req", decided));
            assertThat(e.status()).isEqualTo(refusal);
            assertThat(SeparationOfDuties.mayDecide(actor, "shop", "production", "req", decided)).isFalse();
        }
    }
}
