package io.flagledger.monitor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RuleFlows} with every change rule in {@code alert} mode (the shipped configuration): detected and alerted,
 * never reverted. Also the stale-flag sweeper (a rule without a revert): flag.created with owner and expiry in,
 * the scanner finds it in the flag state, the owner is notified, then the alert escalates.
 */
@QuarkusTest
class RuleFlowAlertTest extends RuleFlows {

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
        return false;
    }

    @Test
    void aStaleFlagNotifiesItsOwnerThenEscalates() throws Exception {
        String flag = flag("stale");
        ObjectNode created = JsonNodeFactory.instance.objectNode().put("key", flag).put("owner", "team-checkout")
                .put("expiresAt", Instant.now().plusSeconds(1).toString());
        kafka.publish("flag.changes", ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.created").project("shop").flagId(flag).newState(created)
                .correlationId("rf-stale").reason("a flag with an end date").build()));

        List<AuditEvent> detections = await().atMost(Duration.ofSeconds(90)).until(() -> kafka.actions().stream()
                        .filter(e -> e.action().equals("monitor.detection") && flag.equals(e.flagId())
                                && "stale-flag".equals(e.scope().path("rule").asText())).toList(),
                found -> found.stream().map(e -> e.scope().path("details").path("stage").asText()).toList()
                        .containsAll(List.of("notify", "escalate")));
        for (AuditEvent d : detections) {
            assertThat(d.scope().path("details").path("owner").asText()).isEqualTo("team-checkout");
            assertThat(d.scope().path("details").path("kind").asText()).isEqualTo("expired");
            assertThat(d.scope().path("severity").asText())
                    .isEqualTo(d.scope().path("details").path("stage").asText().equals("escalate") ? "p2" : "p3");
        }
        // each stage once, however many scans ran meanwhile
        assertThat(detections).hasSize(2);
        // the alert names the owner, for an Alertmanager route to their team
        List<JsonNode> hooks = await().atMost(Duration.ofSeconds(30)).until(() -> FakeFlagApiResource.requestsTo("/webhook").stream()
                .filter(w -> w.path("body").path("rule").asText().equals("stale-flag")
                        && w.path("body").path("subject").asText().contains(flag)).toList(), w -> w.size() == 2);
        assertThat(hooks).allSatisfy(w -> assertThat(w.path("body").path("owner").asText()).isEqualTo("team-checkout"));
        assertThat(FakeFlagApiResource.requestsTo("/flags/" + flag + "/")).isEmpty();
    }
}
