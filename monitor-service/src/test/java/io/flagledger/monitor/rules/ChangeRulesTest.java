package io.flagledger.monitor.rules;

import static io.flagledger.monitor.rules.Changes.T0;
import static io.flagledger.monitor.rules.Changes.change;
import static io.flagledger.monitor.rules.Changes.rollout;
import static io.flagledger.monitor.rules.Changes.state;
import static io.flagledger.monitor.rules.Changes.withRule;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.Channel;
import io.flagledger.monitor.changes.FlagChange;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules 1–4: each a table of change sequences and the changes the rule must fire on. */
class ChangeRulesTest {

    private static Arguments row(String name, List<FlagChange> sequence, String... fired) {
        return Arguments.of(name, sequence, List.of(fired));
    }

    private static List<FlagChange> toggles(int count, int minutesApart) {
        return IntStream.range(0, count).mapToObj(i -> change("t" + i).at(ofMinutes((long) i * minutesApart))
                .states(state(i % 2 == 1, i + 1), state(i % 2 == 0, i + 2)).build()).toList();
    }

    // ---- Rule 1: rapid toggling (more than 3 changes within 10 minutes) -------------------------------------------

    static Stream<Arguments> rapidToggling() {
        return Stream.of(
                row("3 changes in 10 min: within the limit", toggles(3, 1)),
                row("4 changes in 4 min: fires on the 4th", toggles(4, 1), "t3"),
                row("6 changes in 6 min: fires once per burst", toggles(6, 1), "t3"),
                row("4 changes 4 min apart: never 4 inside 10 min", toggles(4, 4)),
                row("reverts do not count", List.of(
                        change("a").at(ofMinutes(0)).build(), change("b").at(ofMinutes(1)).build(),
                        change("r").at(ofMinutes(2)).action("flag.reverted").build(), change("c").at(ofMinutes(3)).build())),
                row("other environments do not count", List.of(
                        change("a").at(ofMinutes(0)).build(), change("b").at(ofMinutes(1)).env("staging").build(),
                        change("c").at(ofMinutes(2)).build(), change("d").at(ofMinutes(3)).env("staging").build())),
                row("flag creation is not an environment change", List.of(
                        change("c1").action("flag.created").env(null).states(null, state(false, 0)).build(),
                        change("a").at(ofMinutes(1)).build(), change("b").at(ofMinutes(2)).build(),
                        change("c").at(ofMinutes(3)).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void rapidToggling(String name, List<FlagChange> sequence, List<String> expected) {
        TestClock clock = new TestClock(T0);
        assertThat(Changes.run(new RapidTogglingRule(clock, 3, ofMinutes(10)), clock, sequence)).isEqualTo(expected);
    }

    // ---- Rule 2: mass rollout (more than 50 points within 30 minutes, or a rule matching everyone) ----------------

    static Stream<Arguments> massRollout() {
        return Stream.of(
                row("1% → 100% at once (the seed document's case)", List.of(
                        change("m").states(rollout(1, 3), rollout(100, 4)).build()), "m"),
                row("1% → 10%: a normal step", List.of(change("m").states(rollout(1, 3), rollout(10, 4)).build())),
                row("10% → 40% → 70% within 30 min: 60 points in small steps", List.of(
                        change("a").states(rollout(10, 3), rollout(40, 4)).build(),
                        change("b").at(ofMinutes(20)).states(rollout(40, 4), rollout(70, 5)).build()), "b"),
                row("10% → 40%, 40 min later → 70%: each step within the limit", List.of(
                        change("a").states(rollout(10, 3), rollout(40, 4)).build(),
                        change("b").at(ofMinutes(40)).states(rollout(40, 4), rollout(70, 5)).build())),
                row("switching a flag on is not a rollout", List.of(change("on").states(state(false, 1), state(true, 2)).build())),
                row("switching a 100% flag off then on again within the window", List.of(
                        change("off").states(state(true, 2), state(false, 3)).build(),
                        change("on").at(ofMinutes(1)).states(state(false, 3), state(true, 4)).build())),
                row("a rollout going down is fine", List.of(change("m").states(rollout(100, 3), rollout(1, 4)).build())),
                row("a rule that lost its clauses now matches everyone", List.of(
                        change("w").states(withRule(1, 3), withRule(0, 4)).build()), "w"),
                row("a targeted rule is fine", List.of(change("w").states(withRule(0, 3).put("enabled", false), withRule(1, 4)).build())),
                row("reverts are never mass rollouts", List.of(
                        change("r").action("flag.reverted").states(rollout(1, 3), rollout(100, 4)).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void massRollout(String name, List<FlagChange> sequence, List<String> expected) {
        TestClock clock = new TestClock(T0);
        assertThat(Changes.run(new MassRolloutRule(clock, 50, ofMinutes(30)), clock, sequence)).isEqualTo(expected);
    }

    // ---- Rule 3: after-hours change to production by someone without the SRE role ----------------------------------

    private static final BusinessHours HOURS = new BusinessHours(ZoneId.of("Europe/Amsterdam"), LocalTime.of(9, 0),
            LocalTime.of(18, 0), EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), Set.of(LocalDate.of(2026, 12, 25)));

    private static Instant amsterdam(String localDateTime) {
        return java.time.LocalDateTime.parse(localDateTime).atZone(ZoneId.of("Europe/Amsterdam")).toInstant();
    }

    static Stream<Arguments> afterHours() {
        Function<String, FlagChange> at = t -> change("c").at(amsterdam(t)).build();
        return Stream.of(
                row("Wednesday 11:00", List.of(at.apply("2026-11-25T11:00:00"))),
                row("Wednesday 08:59", List.of(at.apply("2026-11-25T08:59:00")), "c"),
                row("Wednesday 09:00 (start is inside)", List.of(at.apply("2026-11-25T09:00:00"))),
                row("Wednesday 18:00 (end is outside)", List.of(at.apply("2026-11-25T18:00:00")), "c"),
                row("Saturday noon", List.of(at.apply("2026-11-28T12:00:00")), "c"),
                row("Christmas Friday noon (holiday)", List.of(at.apply("2026-12-25T12:00:00")), "c"),
                row("Wednesday 17:30 in Amsterdam is 16:30 UTC: inside", List.of(
                        change("c").at(Instant.parse("2026-11-25T16:30:00Z")).build())),
                row("Saturday, by an SRE", List.of(change("c").at(amsterdam("2026-11-28T12:00:00")).user("sre", "sre").build())),
                row("Saturday, staging is not protected", List.of(change("c").at(amsterdam("2026-11-28T12:00:00")).env("staging").build())),
                row("Saturday, archiving a flag production serves", List.of(change("c").at(amsterdam("2026-11-28T12:00:00"))
                        .flagWide("flag.archived", "staging", "production").build()), "c"),
                row("Saturday, the monitor's own revert", List.of(
                        change("c").at(amsterdam("2026-11-28T12:00:00")).action("flag.reverted").service("service-account-monitor-service").build())),
                // approved changes: the approvers' policy decides, not the applier's roles
                row("Wednesday 20:00, approved, inside its policy's window MON-FRI 08:00-22:00", List.of(
                        change("c").at(amsterdam("2026-11-25T20:00:00")).service("service-account-approval-service")
                                .approved("cr-1", "MON-FRI 08:00-22:00 Europe/Amsterdam", "sub-a1", "sub-a2").build())),
                row("Wednesday 20:00, approved, policy without a window", List.of(
                        change("c").at(amsterdam("2026-11-25T20:00:00")).service("service-account-approval-service")
                                .approved("cr-1", null, "sub-a1").build())),
                row("Wednesday 11:00, approved, outside its policy's window MON-FRI 13:00-17:00", List.of(
                        change("c").at(amsterdam("2026-11-25T11:00:00")).service("service-account-approval-service")
                                .approved("cr-1", "MON-FRI 13:00-17:00 Europe/Amsterdam", "sub-a1").build()), "c"),
                row("Wednesday 20:00, a change request but no approvers is not approved", List.of(
                        change("c").at(amsterdam("2026-11-25T20:00:00")).service("service-account-approval-service")
                                .approved("cr-1", "MON-FRI 08:00-22:00 Europe/Amsterdam").build()), "c"),
                row("Saturday, a service holding the SRE role without an approval", List.of(
                        change("c").at(amsterdam("2026-11-28T12:00:00")).service("service-account-ops-bot").roles("automation", "sre").build()), "c"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void afterHours(String name, List<FlagChange> sequence, List<String> expected) {
        TestClock clock = new TestClock(T0);
        assertThat(Changes.run(new AfterHoursRule(clock, HOURS, Set.of("production"), Set.of("sre")), clock, sequence)).isEqualTo(expected);
    }

    // ---- Rule 4: unexpected actor ---------------------------------------------------------------------------------

    static Stream<Arguments> unexpectedActor() {
        return Stream.of(
                row("a person through the API", List.of(change("c").build())),
                row("a person through the console", List.of(change("c").channel(Channel.CONSOLE).build())),
                row("a person through the automation channel", List.of(change("c").channel(Channel.AUTOMATION).build()), "c"),
                row("a service through the console", List.of(
                        change("c").service("service-account-ci-bot").channel(Channel.CONSOLE).build()), "c"),
                row("a service on an allowed flag in staging", List.of(
                        change("c").service("service-account-ci-bot").env("staging").channel(Channel.CI).build())),
                row("a service outside its allowed flags", List.of(
                        change("c").service("service-account-ci-bot").env("staging").flag("payments").channel(Channel.CI).build()), "c"),
                row("a service on an allowed flag in production, without an approval", List.of(
                        change("c").service("service-account-ci-bot").channel(Channel.CI).build()), "c"),
                row("a service allowed everything, applying an approved change", List.of(
                        change("c").service("service-account-approval-service").flag("payments").channel(Channel.AUTOMATION)
                                .approved("cr-1", null, "sub-a1", "sub-a2").build())),
                row("a service allowed everything, in production without an approval", List.of(
                        change("c").service("service-account-approval-service").flag("payments").channel(Channel.AUTOMATION).build()), "c"),
                row("the monitor's revert in production", List.of(
                        change("c").service("service-account-monitor-service").action("flag.reverted").channel(Channel.AUTOMATION).build())),
                row("a service with no allowed flags", List.of(
                        change("c").service("service-account-unknown").env("staging").channel(Channel.AUTOMATION).build()), "c"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void unexpectedActor(String name, List<FlagChange> sequence, List<String> expected) {
        TestClock clock = new TestClock(T0);
        UnexpectedActorRule rule = new UnexpectedActorRule(clock, Map.of(
                "service-account-ci-bot", List.of("shop/new-checkout", "web/*"),
                "service-account-approval-service", List.of("*"), "service-account-monitor-service", List.of("*")),
                Set.of("production"));
        assertThat(Changes.run(rule, clock, sequence)).isEqualTo(expected);
    }
}
