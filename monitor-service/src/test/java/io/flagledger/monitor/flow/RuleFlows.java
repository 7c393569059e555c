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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The rules judged by the running monitor: signed events on real Kafka in, monitor.actions events out, reverts to
 * the stand-in flag-api. One scenario per rule, run by {@link RuleFlowAlertTest} (every change rule in {@code alert}
 * mode, the configuration's default) and {@link RuleFlowRevertTest} (every change rule in {@code revert} mode, the
 * error-spike rule in {@code alert}). Flag names carry the mode, so the two runs never see each other's flags.
 * After-hours changes are placed on 2026-01-01, the one holiday of the %test business hours (all day otherwise).
 */
abstract class RuleFlows {

    static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");
    /** A Thursday evening on the %test holiday: after hours. */
    static final Instant NEW_YEAR_EVENING = LocalDateTime.parse("2026-01-01T20:00:00").atZone(AMSTERDAM).toInstant();

    static Kafka kafka;

    abstract boolean revertMode();

    String flag(String name) {
        return "rf-" + name + "-" + (revertMode() ? "revert" : "alert");
    }

    // ---- what the monitor did --------------------------------------------------------------------------------------

    /** Waits for the rule's monitor.detection about {@code change}, then checks what the mode says happened next. */
    AuditEvent detectedAndHandled(AuditEvent change, String rule) throws Exception {
        AuditEvent detection = await().atMost(Duration.ofSeconds(60)).until(() -> kafka.actionsFor(change, rule),
                        events -> events.stream().anyMatch(e -> e.action().equals("monitor.detection"))
                                && events.stream().anyMatch(e -> e.action().equals("monitor.alert.sent"))
                                && (!revertMode() || events.stream().anyMatch(e -> e.action().startsWith("monitor.revert."))))
                .stream().filter(e -> e.action().equals("monitor.detection")).findFirst().orElseThrow();
        assertThat(detection.scope().path("mode").asText()).isEqualTo(revertMode() ? "revert" : "alert");
        List<JsonNode> puts = FakeFlagApiResource.requestsTo("/flags/" + change.flagId() + "/");
        if (revertMode()) {
            AuditEvent reverted = kafka.actionsFor(change, rule).stream().filter(e -> e.action().startsWith("monitor.revert."))
                    .findFirst().orElseThrow();
            assertThat(reverted.action()).isEqualTo("monitor.revert.committed");
            assertThat(reverted.scope().path("revert_of").asText()).isEqualTo(change.eventId());
            assertThat(puts).singleElement().satisfies(put -> {
                assertThat(put.path("headers").path("X-Flagledger-Revert-Of").asText()).isEqualTo(change.eventId());
                assertThat(put.path("body").path("reason").asText()).isEqualTo("auto-revert: " + rule);
            });
        } else {
            assertThat(kafka.actionsFor(change, rule)).noneMatch(e -> e.action().startsWith("monitor.revert."));
            assertThat(puts).isEmpty();
        }
        return detection;
    }

    /** No rule acted on {@code change}: checked once a later change of the same flag (same partition) was judged. */
    static void notDetected(AuditEvent change, String rule) {
        assertThat(kafka.actionsFor(change, rule)).isEmpty();
    }

    // ---- one scenario per change rule ---------------------------------------------------------------------------

    @org.junit.jupiter.api.Test
    void rapidToggling() throws Exception {
        String flag = flag("flapping");
        AuditEvent last = null;
        for (int v = 1; v <= 6; v++) { // max-changes 5: the sixth change within the window is the suspect
            last = change(flag, "staging", state(v % 2 == 0, v), state(v % 2 == 1, v + 1), c -> { });
            kafka.publish("flag.changes", last);
        }
        AuditEvent detection = detectedAndHandled(last, "rapid-toggling");
        assertThat(detection.scope().path("details").path("changes").asInt()).isEqualTo(6);
    }

    @org.junit.jupiter.api.Test
    void massRollout() throws Exception {
        AuditEvent wide = change(flag("rollout"), "staging", rollout(1, 3), rollout(100, 4), c -> { });
        kafka.publish("flag.changes", wide);
        AuditEvent detection = detectedAndHandled(wide, "mass-rollout");
        assertThat(detection.scope().path("details").path("rise_points").asDouble()).isEqualTo(99.0);
    }

    /** The seed's own example: an after-hours change to production by a non-SRE (reverted in revert mode). */
    @org.junit.jupiter.api.Test
    void afterHoursChangeByANonSre() throws Exception {
        String flag = flag("late");
        String cr = approve(flag, "production"); // a change request without approvers in the event: not "approved"
        AuditEvent late = change(flag, "production", state(false, 1), state(true, 2), c -> {
            c.at = NEW_YEAR_EVENING;
            c.scope.putObject("approval").put("change_request_id", cr);
        });
        kafka.publish("flag.changes", late);
        AuditEvent detection = detectedAndHandled(late, "after-hours");
        assertThat(detection.scope().path("details").path("service_without_approval").asBoolean()).isFalse();
    }

    /**
     * An approved change applied after hours by approval-service's service account (no SRE role), inside its policy's
     * apply window, is the approvers' decision: neither after-hours nor an unexpected actor. A later unapproved change
     * of the same flag (same partition, judged after it) is, which shows the first one was judged and passed.
     */
    @org.junit.jupiter.api.Test
    void anApprovedChangeAfterHoursIsNotFlagged() throws Exception {
        String flag = flag("approved-late");
        String cr = approve(flag, "production");
        AuditEvent applied = change(flag, "production", state(false, 1), state(true, 2), c -> {
            c.service("service-account-approval-service");
            c.at = NEW_YEAR_EVENING;
            c.approvedBy(cr, "MON-SUN 18:00-23:00 Europe/Amsterdam", "sub-approver-1", "sub-approver-2");
        });
        String cr2 = approve(flag, "production");
        AuditEvent later = change(flag, "production", state(true, 2), state(false, 3), c -> {
            c.at = NEW_YEAR_EVENING.plusSeconds(60);
            c.scope.putObject("approval").put("change_request_id", cr2);
        });
        kafka.publish("flag.changes", applied);
        kafka.publish("flag.changes", later);
        detectedAndHandled(later, "after-hours");
        notDetected(applied, "after-hours");
        notDetected(applied, "unexpected-actor");
        notDetected(applied, "unapproved-change");
    }

    /** A kill switch pulled after hours by a non-SRE, without a change request: flagged, never reverted. */
    @org.junit.jupiter.api.Test
    void aBreakGlassKillAfterHoursIsNeverReverted() throws Exception {
        String flag = flag("kill");
        AuditEvent kill = change(flag, "production", state(true, 4), state(false, 5), c -> {
            c.at = NEW_YEAR_EVENING.plusSeconds(3 * 3600);
            c.action = "flag.toggled";
            c.scope.put("break_glass", true);
        });
        kafka.publish("flag.changes", kill);
        for (String rule : List.of("after-hours", "unapproved-change")) {
            List<AuditEvent> trail = await().atMost(Duration.ofSeconds(60)).until(() -> kafka.actionsFor(kill, rule),
                    events -> events.stream().anyMatch(e -> e.action().equals("monitor.alert.sent"))
                            && (!revertMode() || events.stream().anyMatch(e -> e.action().startsWith("monitor.revert."))));
            if (revertMode()) {
                AuditEvent skipped = trail.stream().filter(e -> e.action().startsWith("monitor.revert.")).findFirst().orElseThrow();
                assertThat(skipped.action()).isEqualTo("monitor.revert.skipped");
                assertThat(skipped.scope().path("outcome").asText()).isEqualTo("skipped-break-glass");
            }
        }
        assertThat(FakeFlagApiResource.requestsTo("/flags/" + flag + "/")).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aServiceThroughTheConsoleIsAnUnexpectedActor() throws Exception {
        AuditEvent console = change(flag("console-bot"), "staging", state(false, 1), state(true, 2), c -> {
            c.service("service-account-approval-service");
            c.channel = Channel.CONSOLE;
        });
        kafka.publish("flag.changes", console);
        AuditEvent detection = detectedAndHandled(console, "unexpected-actor");
        assertThat(detection.scope().path("details").path("channel").asText()).isEqualTo("console");
    }

    /** approval-service's account writing production without an approval scope: a service account acting as a person. */
    @org.junit.jupiter.api.Test
    void aServiceWithoutAnApprovalInProductionIsAnUnexpectedActor() throws Exception {
        String flag = flag("no-mandate");
        String cr = approve(flag, "production"); // keeps the unapproved-change rule out of it
        AuditEvent bare = change(flag, "production", state(false, 1), state(true, 2), c -> {
            c.service("service-account-approval-service");
            c.scope.putObject("approval").put("change_request_id", cr);
        });
        kafka.publish("flag.changes", bare);
        AuditEvent detection = detectedAndHandled(bare, "unexpected-actor");
        assertThat(detection.reason()).contains("acting as a person");
    }

    @org.junit.jupiter.api.Test
    void anUnapprovedProductionChange() throws Exception {
        AuditEvent unapproved = change(flag("unapproved"), "production", state(false, 1), state(true, 2), c -> { });
        kafka.publish("flag.changes", unapproved);
        detectedAndHandled(unapproved, "unapproved-change");
    }

    // ---- events as flag-api and approval-service sign them ------------------------------------------------------

    static ObjectNode state(boolean enabled, long version) {
        return MonitorFlowTest.state(enabled, version);
    }

    static ObjectNode rollout(int percentOn, long version) {
        ObjectNode s = state(true, version);
        ObjectNode rollout = s.putObject("fallthrough").putObject("rollout");
        rollout.putArray("variations").addObject().put("variation", "on").put("weight", percentOn * 1000);
        rollout.withArray("variations").addObject().put("variation", "off").put("weight", (100 - percentOn) * 1000);
        return s;
    }

    /** A change request approved for {@code flag} in {@code environment}, as approval-service announces it. */
    static String approve(String flag, String environment) {
        String cr = "cr-" + UUID.randomUUID();
        kafka.publish("approval.events", ProducerKeysResource.signer("approval-service").sign(AuditEvent.builder()
                .actorId("sub-approver").actorType(ActorType.USER).sourceService("approval-service")
                .action("change_request.approved").project("shop").flagId(flag).environment(environment)
                .newState(JsonNodeFactory.instance.objectNode().put("change_request_id", cr)).correlationId(cr).build()));
        return cr;
    }

    /** A change as flag-api records it; {@code customize} sets actor, time, scope. */
    static AuditEvent change(String flag, String environment, JsonNode before, JsonNode after, Consumer<Change> customize) {
        Change c = new Change();
        customize.accept(c);
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-" + c.actor).actorType(c.type).actorName(c.actor).actorRoles(c.roles.toArray(String[]::new))
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", c.channel))
                .timestamp(c.at).action(c.action).project("shop").flagId(flag).environment(environment)
                .previousState(before).newState(after).scope(c.scope)
                .correlationId("rf-" + UUID.randomUUID()).reason("rule flow").build());
    }

    /** What a test may vary about a change; a person (flag-editor, no SRE role) through the API, now, by default. */
    static final class Change {
        String actor = "requester";
        ActorType type = ActorType.USER;
        List<String> roles = List.of("flag-editor");
        Channel channel = Channel.API;
        Instant at = Instant.now();
        String action = "flag.toggled";
        ObjectNode scope = JsonNodeFactory.instance.objectNode();

        Change service(String name) {
            actor = name;
            type = ActorType.SERVICE;
            roles = List.of("automation", "flag-editor");
            channel = Channel.AUTOMATION;
            return this;
        }

        /** Applied under change request {@code cr}, approved by {@code approvers}, policy window {@code window}. */
        Change approvedBy(String cr, String window, String... approvers) {
            ObjectNode approval = scope.putObject("approval").put("change_request_id", cr);
            if (window != null) {
                approval.put("apply_window", window);
            }
            for (String a : approvers) {
                approval.withArray("approvers").add(a);
            }
            return this;
        }
    }
}
