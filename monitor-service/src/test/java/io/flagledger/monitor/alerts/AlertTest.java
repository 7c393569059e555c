package io.flagledger.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.revert.RevertOutcome;
import io.flagledger.monitor.revert.RevertResult;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labels, the deduplication key, and the bodies each receiver gets (pure: no service). */
class AlertTest {

    private static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");
    private static final Detection STALE = new Detection("stale-flag", Severity.P3, "stale:expired:shop/old:1:notify", null,
            new FlagKey("shop", "old", null), "stale:expired:shop/old:1:notify", "team-payments", "Flag shop/old is stale",
            Detection.newDetails().put("owner", "team-payments"), AT, null);

    @Test
    void absentValuesAreLeftOutAndOwnerIsALabel() {
        Alert alert = new Alert(STALE, null, new AlertContext("team-payments", null, List.of(), null, null, null, null));
        assertThat(alert.labels()).containsEntry("owner", "team-payments").containsEntry("severity", "p3")
                .doesNotContainKeys("environment", "risk", "revert");
        assertThat(alert.annotations()).doesNotContainKeys("approvers", "ledger_entry_url", "change_request");
    }

    @Test
    void theFingerprintIsTheLabelSetAndChangesWithTheRevertOutcome() {
        Alert detected = new Alert(STALE, null, null);
        assertThat(detected.fingerprint()).hasSize(64).isEqualTo(new Alert(STALE, null, null).fingerprint());
        Alert failed = new Alert(STALE, new RevertResult(RevertOutcome.FAILED, "flag-api down", null, null, AT), null);
        assertThat(failed.severity()).isEqualTo(Severity.P1);
        assertThat(failed.fingerprint()).isNotEqualTo(detected.fingerprint());
        // annotations are not part of the identity
        Alert enriched = new Alert(STALE, null, new AlertContext(null, null, List.of("ann"), "cr-1", null, null, null));
        assertThat(enriched.fingerprint()).isEqualTo(detected.fingerprint());
    }

    @Test
    void alertmanagerGetsEndsAtAndTheWebhookItsStatusAndFingerprint() {
        Alert alert = new Alert(STALE, null, new AlertContext("team-payments", "high", List.of(), null, null, null,
                new AlertContext.Links(null, null, "https://console.test/console/flags/shop/old", null)));
        Instant ended = AT.plusSeconds(600);
        Alerter.Queued resolved = new Alerter.Queued(alert.document(), alert.fingerprint(), AT, ended, true);
        ArrayNode am = Alerter.alertmanagerBody(resolved);
        JsonNode a = am.get(0);
        assertThat(a.path("labels").path("owner").asText()).isEqualTo("team-payments");
        assertThat(a.path("startsAt").asText()).isEqualTo(AT.toString());
        assertThat(a.path("endsAt").asText()).isEqualTo(ended.toString());
        assertThat(a.path("generatorURL").asText()).isEqualTo("https://console.test/console/flags/shop/old");
        ObjectNode webhook = Alerter.webhookBody(resolved);
        assertThat(webhook.path("status").asText()).isEqualTo("resolved");
        assertThat(webhook.path("fingerprint").asText()).isEqualTo(alert.fingerprint());
        assertThat(webhook.path("ends_at").asText()).isEqualTo(ended.toString());
        assertThat(webhook.path("rule").asText()).isEqualTo("stale-flag");
        assertThat(Alerter.alertmanagerBody(new Alerter.Queued(alert.document(), alert.fingerprint(), AT, null, false))
                .get(0).has("endsAt")).isFalse();
    }

    @Test
    void whatClearsAnAlert() {
        assertThat(AlertQueue.clearsOn("error-spike")).isEqualTo(AlertQueue.CLEARS_ON_ERROR_RATE);
        assertThat(AlertQueue.clearsOn("stale-flag")).isEqualTo(AlertQueue.CLEARS_ON_NOT_STALE);
        assertThat(AlertQueue.clearsOn("rapid-toggling")).isEqualTo(AlertQueue.CLEARS_ON_EVENT);
    }
}
