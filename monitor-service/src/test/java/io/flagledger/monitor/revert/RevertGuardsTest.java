package io.flagledger.monitor.revert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.Severity;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decisions taken before flag-api is ever called (flag-api and the database are absent here on purpose). */
class RevertGuardsTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private static ObjectNode state(boolean enabled, long version) {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("enabled", enabled).put("offVariation", "off");
        s.putObject("fallthrough").put("variation", "on");
        return s.put("version", version);
    }

    private static FlagChange change(String action, String environment, ObjectNode before, ObjectNode after, ObjectNode scope) {
        return new FlagChange("e-1", "c-1", NOW, action, "shop", "f", environment, "u", ActorType.USER, "u", List.of(),
                Channel.API, before, after, scope, "r");
    }

    static Stream<Arguments> guards() {
        ObjectNode revertScope = JsonNodeFactory.instance.objectNode().put("revert_of", "e-0");
        ObjectNode breakGlass = JsonNodeFactory.instance.objectNode().put("break_glass", true);
        return Stream.of(
                Arguments.of("a revert is never reverted", change("flag.reverted", "production", state(true, 2), state(false, 3), revertScope),
                        false, RevertOutcome.SKIPPED_REVERT_OF_REVERT),
                Arguments.of("a revert is never reverted, even in dry-run", change("flag.reverted", "production", state(true, 2),
                        state(false, 3), revertScope), true, RevertOutcome.SKIPPED_REVERT_OF_REVERT),
                Arguments.of("flag creation has no previous environment state", change("flag.created", null, null,
                        JsonNodeFactory.instance.objectNode(), null), false, RevertOutcome.SKIPPED_NOTHING_TO_RESTORE),
                Arguments.of("a break-glass kill is never reverted (the emergency brake stays on)", change("flag.toggled",
                        "production", state(true, 4), state(false, 5), breakGlass), false, RevertOutcome.SKIPPED_BREAK_GLASS),
                Arguments.of("dry-run only alerts", change("flag.toggled", "production", state(false, 1), state(true, 2), null),
                        true, RevertOutcome.DRY_RUN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void guards(String name, FlagChange suspect, boolean dryRun, RevertOutcome expected) {
        Reverter reverter = new Reverter();
        reverter.clock = Clock.fixed(NOW, ZoneOffset.UTC);
        reverter.config = (MonitorConfig) Proxy.newProxyInstance(MonitorConfig.class.getClassLoader(), new Class<?>[] {MonitorConfig.class},
                (proxy, method, args) -> method.getName().equals("dryRun") ? dryRun : null);
        Detection detection = Detection.of("error-spike", Severity.P1, suspect, "test", null, NOW);
        RevertResult result = reverter.revert(null, detection).await().indefinitely();
        assertThat(result.outcome()).isEqualTo(expected);
        assertThat(result.httpStatus()).isNull();
    }
}
