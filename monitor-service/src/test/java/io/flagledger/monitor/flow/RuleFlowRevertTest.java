package io.flagledger.monitor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.contract.AuditEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RuleFlows} with every change rule in {@code revert} mode: each suspect change is reverted once through
 * flag-api (If-Match, X-Flagledger-Revert-Of) and the ledger reads detection → revert committed → alert, except the
 * break-glass kill, which is never reverted. The error-spike rule, in {@code revert} mode in {@link MonitorFlowTest},
 * runs here in {@code alert} mode.
 */
@QuarkusTest
@TestProfile(RuleFlowRevertTest.RevertModes.class)
class RuleFlowRevertTest extends RuleFlows {

    public static class RevertModes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flagledger.monitor.rules.rapid-toggling.mode", "revert",
                    "flagledger.monitor.rules.mass-rollout.mode", "revert",
                    "flagledger.monitor.rules.after-hours.mode", "revert",
                    "flagledger.monitor.rules.unexpected-actor.mode", "revert",
                    "flagledger.monitor.rules.unapproved-change.mode", "revert",
                    "flagledger.monitor.rules.error-spike.mode", "alert");
        }
    }

    @BeforeAll
    static void connect() {
        kafka = new Kafka();
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    @Override
    boolean revertMode() {
        return true;
    }

    @Test
    void anErrorSpikeInAlertModeIsAlertedNotReverted() throws Exception {
        String flag = "rf-spike";
        String cr = approve(flag, "production");
        kafka.send("service.health", "rule-flow", Kafka.healthSample("rule-flow", 0.001, java.time.Instant.now().minusSeconds(5)));
        AuditEvent applied = change(flag, "production", state(false, 1), state(true, 2), c -> {
            c.service("service-account-approval-service");
            c.approvedBy(cr, null, "sub-approver-1", "sub-approver-2");
        });
        kafka.publish("flag.changes", applied);
        kafka.send("service.health", "rule-flow", Kafka.healthSample("rule-flow", 0.4, applied.timestamp().plusMillis(500)));
        List<AuditEvent> trail = await().atMost(Duration.ofSeconds(60)).until(() -> kafka.actionsFor(applied, "error-spike"),
                events -> events.stream().anyMatch(e -> e.action().equals("monitor.alert.sent")));
        assertThat(trail).extracting(AuditEvent::action).contains("monitor.detection").noneMatch(a -> a.startsWith("monitor.revert."));
        assertThat(trail.stream().filter(e -> e.action().equals("monitor.detection")).findFirst().orElseThrow()
                .scope().path("mode").asText()).isEqualTo("alert");
        assertThat(FakeFlagApiResource.requestsTo("/flags/" + flag + "/")).isEmpty();
        // approved and applied by approval-service: neither an unexpected actor nor unapproved
        assertThat(kafka.actionsFor(applied, "unexpected-actor")).isEmpty();
    }
}
