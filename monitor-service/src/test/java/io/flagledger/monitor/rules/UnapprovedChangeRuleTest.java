package io.flagledger.monitor.rules;

import static io.flagledger.monitor.rules.Changes.T0;
import static io.flagledger.monitor.rules.Changes.change;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rule 6 on sequences of changes, approvals and the passing of time (grace 30 s). */
class UnapprovedChangeRuleTest {

    /** One step: a change arrives, an approval arrives, or the clock moves to {@code at} and the rule is ticked. */
    record Step(FlagChange change, String approval, Duration at) {
        static Step change(FlagChange c) {
            return new Step(c, null, Duration.between(T0, c.timestamp()));
        }

        static Step approved(String id, Duration at) {
            return new Step(null, id, at);
        }

        static Step tick(Duration at) {
            return new Step(null, null, at);
        }
    }

    private static Arguments row(String name, List<Step> steps, String... fired) {
        return Arguments.of(name, steps, List.of(fired));
    }

    static Stream<Arguments> sequences() {
        return Stream.of(
                row("production change without a change request", List.of(Step.change(change("c").build())), "c"),
                row("staging needs no approval", List.of(Step.change(change("c").env("staging").build()), Step.tick(ofSeconds(60)))),
                row("approval known before the change", List.of(
                        Step.approved("cr-1", ofSeconds(0)),
                        Step.change(change("c").at(ofSeconds(1)).approval("cr-1").build()), Step.tick(ofSeconds(60)))),
                row("approval arrives after the change, within the grace period", List.of(
                        Step.change(change("c").approval("cr-1").build()), Step.tick(ofSeconds(10)),
                        Step.approved("cr-1", ofSeconds(20)), Step.tick(ofSeconds(60)))),
                row("approval never arrives", List.of(
                        Step.change(change("c").approval("cr-1").build()), Step.tick(ofSeconds(29)), Step.tick(ofSeconds(30))), "c"),
                row("another request's approval does not count", List.of(
                        Step.approved("cr-2", ofSeconds(0)),
                        Step.change(change("c").at(ofSeconds(1)).approval("cr-1").build()), Step.tick(ofSeconds(60))), "c"),
                row("break glass without a change request", List.of(
                        Step.change(change("c").scope("break_glass", true).build())), "c"),
                row("archiving a flag production serves, without a change request", List.of(
                        Step.change(change("c").flagWide("flag.archived", "development", "staging", "production").build())), "c"),
                row("lowering a flag's risk, without a change request", List.of(
                        Step.change(change("c").flagWide("flag.metadata.updated", "staging", "production").build())), "c"),
                row("an approved restore", List.of(
                        Step.approved("cr-1", ofSeconds(0)),
                        Step.change(change("c").at(ofSeconds(1)).flagWide("flag.restored", "staging", "production")
                                .approval("cr-1").build()), Step.tick(ofSeconds(60)))),
                row("a flag-wide change that reaches no protected environment", List.of(
                        Step.change(change("c").flagWide("flag.archived", "development", "staging").build()))),
                row("the monitor's revert", List.of(
                        Step.change(change("c").action("flag.reverted").scope("revert_of", "x")
                                .service("service-account-monitor-service").build()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void unapprovedChange(String name, List<Step> steps, List<String> expected) {
        TestClock clock = new TestClock(T0);
        Set<String> approved = new HashSet<>();
        UnapprovedChangeRule rule = new UnapprovedChangeRule(clock, Set.of("production"), ofSeconds(30),
                (id, change) -> approved.contains(id));
        ChangeHistory history = new ChangeHistory(clock, Duration.ofHours(1));
        List<String> fired = new ArrayList<>();
        for (Step step : steps) {
            clock.set(T0.plus(step.at()));
            if (step.change() != null) {
                history.record(step.change());
                rule.evaluate(step.change(), history).ifPresent(d -> fired.add(d.subject()));
            } else if (step.approval() != null) {
                approved.add(step.approval());
                rule.approvalArrived(c -> c.approvalId().orElse("").equals(step.approval()));
            } else {
                rule.expire().forEach(d -> fired.add(d.subject()));
            }
        }
        assertThat(fired).isEqualTo(expected);
    }
}
