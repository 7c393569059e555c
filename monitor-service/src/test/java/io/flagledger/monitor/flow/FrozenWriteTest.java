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
import io.flagledger.monitor.rules.FrozenWriteRule;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A flag write refused during an incident freeze (flag-api's signed {@code access.denied} with status 423 on
 * flag.changes, as flag-api writes it) is alerted on by the frozen-write rule, against real Kafka and PostgreSQL;
 * the freeze itself and the refusal are not flag changes, so no other rule judges them.
 */
@QuarkusTest
class FrozenWriteTest {

    private static Kafka kafka;

    @BeforeAll
    static void connect() {
        kafka = new Kafka();
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    @Test
    void aWriteRefusedDuringAFreezeIsAlertedAndNothingElseFires() throws Exception {
        String freezeId = UUID.randomUUID().toString();
        AuditEvent freeze = flagApi(AuditEvent.builder()
                .actorId("sub-freezer").actorType(ActorType.USER).actorName("freezer").actorRoles("flag-freezer")
                .action("freeze.set").project("shop").environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("id", freezeId).put("reason", "INC-9"))
                .scope(JsonNodeFactory.instance.objectNode().put("freeze_id", freezeId)).reason("INC-9"));
        ObjectNode scope = JsonNodeFactory.instance.objectNode().put("method", "PUT")
                .put("endpoint", "/api/v1/projects/{project}/flags/{key}/environments/{environment}").put("status", 423);
        scope.putObject("freeze").put("id", freezeId).put("environment", "production").put("reason", "INC-9")
                .put("set_by", "freezer");
        // approval-service applying an approved change during the freeze: a service identity, which the
        // unexpected-actor rule would flag if the refusal were taken for a change
        AuditEvent refused = flagApi(AuditEvent.builder()
                .actorId("sub-approval").actorType(ActorType.SERVICE).actorName("service-account-ci-elsewhere")
                .actorRoles("automation", "flag-applier")
                .action("access.denied").project("shop").environment("production").scope(scope.put("flag", "checkout")));
        kafka.publish("flag.changes", freeze);
        kafka.publish("flag.changes", refused);

        AuditEvent detection = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(refused, FrozenWriteRule.NAME),
                events -> events.stream().anyMatch(e -> e.action().equals("monitor.detection"))).stream()
                .filter(e -> e.action().equals("monitor.detection")).findFirst().orElseThrow();
        assertThat(detection.reason()).contains("service-account-ci-elsewhere").contains("INC-9")
                .contains("shop/production").contains("on checkout");
        Predicate<JsonNode> alert = w -> w.path("body").path("subject").asText().equals(refused.eventId())
                && w.path("body").path("rule").asText().equals(FrozenWriteRule.NAME);
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeFlagApiResource.requestsTo("/webhook").stream().anyMatch(alert));

        // nothing else judged either event
        assertThat(kafka.actions()).filteredOn(e -> e.scope() != null && (refused.eventId().equals(e.scope().path("suspect_event_id").asText())
                        || freeze.eventId().equals(e.scope().path("suspect_event_id").asText())))
                .allSatisfy(e -> assertThat(e.scope().path("rule").asText()).isEqualTo(FrozenWriteRule.NAME));
        assertThat(FakeFlagApiResource.requestsTo("/flags/checkout/")).isEmpty();
    }

    private static AuditEvent flagApi(AuditEvent.Builder event) throws Exception {
        return ProducerKeysResource.signer("flag-api").sign(event.sourceService("flag-api")
                .request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .correlationId("inc-" + UUID.randomUUID()).build());
    }
}
