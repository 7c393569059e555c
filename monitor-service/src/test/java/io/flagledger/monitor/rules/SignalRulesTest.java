package io.flagledger.monitor.rules;

import static io.flagledger.monitor.rules.Changes.T0;
import static io.flagledger.monitor.rules.Changes.change;
import static java.time.Duration.ofDays;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.signals.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rule 5 (error spike after a change) and rule 7 (stale flags), each a table. */
class SignalRulesTest {

    private static final FlagChange SUSPECT = change("c").build();

    /** Samples every 15 s from the change on, with these error ratios. */
    private static List<Sample> samples(double... values) {
        return java.util.stream.IntStream.range(0, values.length)
                .mapToObj(i -> new Sample(T0.plus(ofSeconds(15L * i)), values[i])).toList();
    }

    static Stream<Arguments> errorSpike() {
        return Stream.of(
                Arguments.of("quiet after the change", OptionalDouble.of(0.001), samples(0.001, 0.002, 0.001), null),
                Arguments.of("above 5% absolute: first crossing is the threshold time", OptionalDouble.of(0.001),
                        samples(0.001, 0.03, 0.2, 0.3), ofSeconds(15)),
                Arguments.of("3× a 1% baseline (above the floor) crosses at 3.1%", OptionalDouble.of(0.01),
                        samples(0.01, 0.02, 0.031), ofSeconds(30)),
                Arguments.of("no baseline: absolute threshold only", OptionalDouble.empty(), samples(0.03, 0.04, 0.049), null),
                Arguments.of("0 baseline is floored: 1% is not a spike", OptionalDouble.of(0.0), samples(0.01, 0.012), null),
                Arguments.of("already failing at 8% before: 10% is not blamed on the change", OptionalDouble.of(0.08),
                        samples(0.08, 0.1, 0.09), null),
                Arguments.of("already failing at 8%: tripled to 30% is", OptionalDouble.of(0.08), samples(0.08, 0.3), ofSeconds(15)),
                Arguments.of("samples before the change do not count", OptionalDouble.of(0.001),
                        List.of(new Sample(T0.minusSeconds(30), 0.5), new Sample(T0.plusSeconds(15), 0.001)), null),
                Arguments.of("a spike after the window is not this change's", OptionalDouble.of(0.001),
                        List.of(new Sample(T0.plus(ofMinutes(16)), 0.5)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void errorSpike(String name, OptionalDouble baseline, List<Sample> samples, Duration crossedAfterChange) {
        TestClock clock = new TestClock(T0.plus(ofMinutes(1)));
        ErrorSpikeRule rule = new ErrorSpikeRule(clock, 0.05, 3, 0.005, ofMinutes(15));
        var detection = rule.evaluate(SUSPECT, "checkout", baseline, samples);
        if (crossedAfterChange == null) {
            assertThat(detection).isEmpty();
        } else {
            assertThat(detection).hasValueSatisfying(d -> {
                assertThat(d.thresholdCrossedAt()).isEqualTo(T0.plus(crossedAfterChange));
                assertThat(d.subject()).isEqualTo("c");
                assertThat(d.correlationId()).isEqualTo("corr-c");
                assertThat(d.severity()).isEqualTo(Severity.P1);
            });
        }
    }

    static Stream<Arguments> staleFlags() {
        FlagKey flag = new FlagKey("shop", "old", null);
        FlagKey prod = new FlagKey("shop", "old", "production");
        Instant expiry = T0;
        return Stream.of(
                Arguments.of("expires tomorrow", new StaleFlagRule.Candidate(flag, "alice", expiry, null), ofDays(-1), List.of()),
                Arguments.of("expired today: owner notified", new StaleFlagRule.Candidate(flag, "alice", expiry, null), ofDays(0),
                        List.of("notify:P3")),
                Arguments.of("expired 8 days ago: escalated", new StaleFlagRule.Candidate(flag, "alice", expiry, null), ofDays(8),
                        List.of("escalate:P2")),
                Arguments.of("fully rolled out for 29 days", new StaleFlagRule.Candidate(prod, "alice", null, T0), ofDays(29), List.of()),
                Arguments.of("fully rolled out for 31 days", new StaleFlagRule.Candidate(prod, "alice", null, T0), ofDays(31),
                        List.of("notify:P3")),
                Arguments.of("fully rolled out for 40 days", new StaleFlagRule.Candidate(prod, "alice", null, T0), ofDays(40),
                        List.of("escalate:P2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void staleFlags(String name, StaleFlagRule.Candidate candidate, Duration now, List<String> expected) {
        TestClock clock = new TestClock(T0.plus(now));
        StaleFlagRule rule = new StaleFlagRule(clock, ofDays(30), ofDays(7));
        var fired = rule.evaluate(candidate);
        assertThat(fired).map(d -> d.details().get("stage").asText() + ":" + d.severity()).isEqualTo(expected);
        fired.forEach(d -> assertThat(d.details().get("owner").asText()).isEqualTo("alice"));
        // The same stage of the same stale state is the same subject, so it is acted on once.
        assertThat(rule.evaluate(candidate)).map(Detection::subject).isEqualTo(fired.stream().map(Detection::subject).toList());
    }
}
