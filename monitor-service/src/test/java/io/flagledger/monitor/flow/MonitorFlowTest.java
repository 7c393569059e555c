package io.flagledger.monitor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The monitor against real Kafka, PostgreSQL and Keycloak: signed change events in, error-rate samples on
 * service.health, reverts to a local receiver standing in for flag-api, signed events out on monitor.actions.
 */
@QuarkusTest
class MonitorFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
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
    void errorSpikeAfterAChangeIsRevertedOnceAndTheLedgerLinksChangeDetectionAndRevert() throws Exception {
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.001, Instant.now().minusSeconds(5)));
        AuditEvent change = toggle("spiky", 1, null);
        kafka.publish("flag.changes", change);
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.01, change.timestamp().plusMillis(500)));
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.30, change.timestamp().plusSeconds(1)));

        JsonNode put = await().atMost(Duration.ofSeconds(30)).until(() -> FakeFlagApiResource.requestsTo("/flags/spiky/"), r -> r.size() == 1).get(0);
        assertThat(put.path("method").asText()).isEqualTo("PUT");
        assertThat(put.path("path").asText()).isEqualTo("/api/v1/projects/shop/flags/spiky/environments/production");
        assertThat(put.path("headers").path("If-Match").asText()).isEqualTo("\"2\"");
        assertThat(put.path("headers").path("X-Flagledger-Revert-Of").asText()).isEqualTo(change.eventId());
        assertThat(put.path("headers").path("X-Correlation-Id").asText()).isEqualTo(change.correlationId());
        assertThat(put.path("headers").path("Authorization").asText()).startsWith("Bearer ey");
        ObjectNode restored = ((ObjectNode) change.previousState()).deepCopy();
        restored.remove("version");
        assertThat(put.path("body").path("config")).isEqualTo(restored);
        assertThat(put.path("body").path("reason").asText()).isEqualTo("auto-revert: error-spike");
        assertThat(put.path("body").path("correlationId").asText()).isEqualTo(change.correlationId());

        List<AuditEvent> trail = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(change, "error-spike"),
                events -> events.stream().map(AuditEvent::action).toList()
                        .containsAll(List.of("monitor.detection", "monitor.revert.committed", "monitor.alert.sent")));
        EventVerifier verifier = EventVerifier.fromEncoded(Map.of(SigningKeyResource.KEY_ID,
                io.flagledger.contract.Ed25519Keys.encodePublic(SigningKeyResource.keyPair().getPublic())));
        for (AuditEvent event : trail) {
            verifier.verify(event);
            assertThat(event.correlationId()).isEqualTo(change.correlationId());
            assertThat(event.sourceService()).isEqualTo("monitor-service");
            assertThat(event.flagId()).isEqualTo("spiky");
        }
        AuditEvent reverted = trail.stream().filter(e -> e.action().equals("monitor.revert.committed")).findFirst().orElseThrow();
        assertThat(reverted.scope().path("revert_of").asText()).isEqualTo(change.eventId());
        assertThat(reverted.scope().path("new_version").asLong()).isEqualTo(3);
        AuditEvent detection = trail.stream().filter(e -> e.action().equals("monitor.detection")).findFirst().orElseThrow();
        assertThat(detection.scope().path("details").path("error_rate").asDouble()).isEqualTo(0.30);
        AuditEvent alerted = trail.stream().filter(e -> e.action().equals("monitor.alert.sent")).findFirst().orElseThrow();
        assertThat(alerted.scope().path("severity").asText()).isEqualTo("p1");
        assertThat(alerted.scope().path("receivers").path("webhook").asText()).isEqualTo("sent");
        JsonNode webhook = webhookFor(change, "error-spike");
        assertThat(webhook.path("body").path("revert").asText()).isEqualTo("reverted");
        assertThat(webhook.path("body").path("severity").asText()).isEqualTo("p1");

        // flag-api's own flag.reverted event arrives while errors are still high: a revert is never reverted.
        AuditEvent revertEvent = revertOf(change);
        kafka.publish("flag.changes", revertEvent);
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.4, revertEvent.timestamp().plusMillis(200)));
        // A new bad change inside the revert window: detected, but the flag is not reverted twice in one window.
        AuditEvent again = toggle("spiky", 3, null);
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.001, again.timestamp().minusMillis(1)));
        kafka.publish("flag.changes", again);
        kafka.send("service.health", "checkout", Kafka.healthSample("checkout", 0.5, again.timestamp().plusMillis(300)));
        AuditEvent skipped = skippedRevert(again, "error-spike");
        assertThat(skipped.scope().path("outcome").asText()).isEqualTo("skipped-rate-limited");
        assertThat(FakeFlagApiResource.requestsTo("/flags/spiky/")).hasSize(1);
        assertThat(kafka.actionsFor(revertEvent, "error-spike")).isEmpty();
    }

    /** Errors rise during the incident a kill switch was pulled for: the brake stays on and people are told why. */
    @Test
    void aBreakGlassKillIsNeverRevertedOnlyAlerted() throws Exception {
        kafka.send("service.health", "payments", Kafka.healthSample("payments", 0.001, Instant.now().minusSeconds(5)));
        ObjectNode scope = JsonNodeFactory.instance.objectNode().put("break_glass", true);
        scope.putArray("changed").add("enabled");
        AuditEvent kill = ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-sre").actorType(ActorType.USER).actorName("sre").actorRoles("flag-editor", "sre")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId("brake").environment("production")
                .previousState(state(true, 4)).newState(state(false, 5))
                .scope(scope).correlationId("ci-brake").reason("incident: stop the bleeding").build());
        kafka.publish("flag.changes", kill);
        kafka.send("service.health", "payments", Kafka.healthSample("payments", 0.6, kill.timestamp().plusMillis(300)));

        AuditEvent skipped = skippedRevert(kill, "error-spike");
        assertThat(skipped.scope().path("outcome").asText()).isEqualTo("skipped-break-glass");
        assertThat(skipped.scope().path("detail").asText()).contains("break-glass");
        JsonNode webhook = webhookFor(kill, "error-spike");
        assertThat(webhook.path("body").path("revert").asText()).isEqualTo("skipped-break-glass");
        assertThat(webhook.path("body").path("revert_detail").asText()).contains("only a person may turn the feature back on");
        assertThat(FakeFlagApiResource.requestsTo("/flags/brake/")).isEmpty();
    }

    @Test
    void aFlagChangedSinceTheSuspectChangeIsNotOverwritten() throws Exception {
        AuditEvent change = toggle("spiky-changed-since", 1, null);
        kafka.publish("flag.changes", change);
        kafka.send("service.health", "cart", Kafka.healthSample("cart", 0.9, change.timestamp().plusMillis(100)));
        AuditEvent skipped = skippedRevert(change, "error-spike");
        assertThat(skipped.scope().path("outcome").asText()).isEqualTo("skipped-changed-since");
        assertThat(skipped.scope().path("http_status").asInt()).isEqualTo(412);
        assertThat(skipped.reason()).contains("Error rate of cart");
    }

    @Test
    void protectedChangesNeedAnApprovedChangeRequest() {
        ObjectNode approved = JsonNodeFactory.instance.objectNode().put("change_request_id", "cr-approved");
        kafka.publish("approval.events", ProducerKeysResource.signer("approval-service").sign(AuditEvent.builder()
                .actorId("approver").actorType(ActorType.USER).sourceService("approval-service")
                .action("change_request.approved").project("shop").flagId("guarded").environment("production")
                .newState(approved).correlationId("cr-approved-corr").build()));
        AuditEvent withApproval = toggle("guarded", 1, "cr-approved");
        AuditEvent neverApproved = toggle("guarded", 2, "cr-unknown");
        AuditEvent noRequest = toggle("guarded", 3, null);
        kafka.publish("flag.changes", withApproval);
        kafka.publish("flag.changes", neverApproved);
        kafka.publish("flag.changes", noRequest);
        kafka.publish("flag.changes", noRequest); // redelivered: still one detection
        await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(neverApproved, "unapproved-change").size() == 2
                && kafka.actionsFor(noRequest, "unapproved-change").size() == 2);
        assertThat(kafka.actionsFor(noRequest, "unapproved-change")).extracting(AuditEvent::action)
                .containsExactlyInAnyOrder("monitor.detection", "monitor.alert.sent");
        assertThat(kafka.actionsFor(withApproval, "unapproved-change")).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The monitor.revert.skipped event the rule recorded for {@code suspect}, once it is there. */
    private static AuditEvent skippedRevert(AuditEvent suspect, String rule) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(suspect, rule),
                events -> events.stream().anyMatch(e -> e.action().equals("monitor.revert.skipped"))).stream()
                .filter(e -> e.action().equals("monitor.revert.skipped")).findFirst().orElseThrow();
    }

    /** The alert webhook call about {@code suspect} from {@code rule}, once it is there. */
    private static JsonNode webhookFor(AuditEvent suspect, String rule) {
        java.util.function.Predicate<JsonNode> about = w -> w.path("body").path("subject").asText().equals(suspect.eventId())
                && w.path("body").path("rule").asText().equals(rule);
        return await().atMost(Duration.ofSeconds(10)).until(() -> FakeFlagApiResource.requestsTo("/webhook"),
                r -> r.stream().anyMatch(about)).stream().filter(about).findFirst().orElseThrow();
    }




    static ObjectNode state(boolean enabled, long version) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("enabled", enabled);
        s.put("offVariation", "off");
        s.putArray("targets");
        s.putArray("rules");
        s.putObject("fallthrough").put("variation", "on");
        s.put("version", version);
        return s;
    }

    /** flag-api's event for switching {@code flag} on in production, from {@code version} to the next. */
    private static AuditEvent toggle(String flag, long version, String changeRequest) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.putArray("changed").add("enabled");
        if (changeRequest != null) {
            scope.putObject("approval").put("change_request_id", changeRequest);
        }
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(flag).environment("production")
                .previousState(state(version % 2 == 0, version)).newState(state(version % 2 == 1, version + 1))
                .scope(scope).correlationId("ci-" + flag + "-" + version).reason("test").build());
    }

    /** What flag-api records after the monitor's revert of {@code suspect}. */
    private static AuditEvent revertOf(AuditEvent suspect) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode().put("revert_of", suspect.eventId());
        ObjectNode after = ((ObjectNode) suspect.previousState()).deepCopy().put("version", suspect.newState().path("version").asLong() + 1);
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-monitor").actorType(ActorType.SERVICE).actorName("service-account-monitor-service")
                .actorRoles("automation", "flag-reverter").sourceService("flag-api")
                .request(new RequestMetadata("monitor", "127.0.0.1", Channel.AUTOMATION))
                .action("flag.reverted").project(suspect.project()).flagId(suspect.flagId()).environment(suspect.environment())
                .previousState(suspect.newState()).newState(after).scope(scope)
                .correlationId(suspect.correlationId()).reason("auto-revert: error-spike").build());
    }
}
