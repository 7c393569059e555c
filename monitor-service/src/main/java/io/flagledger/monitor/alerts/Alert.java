package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.Hashing;
import io.flagledger.monitor.revert.RevertResult;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.Severity;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What is sent to people: a detection, what the monitor did about it, the severity that follows, and its context. */
public record Alert(Detection detection, RevertResult revert, AlertContext context) {

    public static final String ALERT_NAME = "FlagledgerFlagAnomaly";

    public Alert {
        context = context == null ? AlertContext.NONE : context;
    }

    /** P1 whenever a revert happened or failed: a production flag changed (or should have and did not). */
    public Severity severity() {
        if (revert != null && switch (revert.outcome()) {
            case REVERTED, FAILED -> true;
            default -> false;
        }) {
            return Severity.P1;
        }
        return detection.severity();
    }

    /**
     * Alertmanager labels: what routing, grouping, silences and deduplication match on. {@code owner} and
     * {@code risk} are labels so that routes can send a team its own flags' alerts (docs/monitoring-alerts.md).
     * Absent values are left out, not sent empty.
     */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", ALERT_NAME);
        labels.put("rule", detection.rule());
        put(labels, "project", detection.key().project());
        put(labels, "flag", detection.key().flag());
        put(labels, "environment", detection.key().environment());
        put(labels, "actor", detection.actor());
        put(labels, "owner", context.owner());
        put(labels, "risk", context.risk());
        labels.put("severity", severity().label());
        if (revert != null) {
            labels.put("revert", revert.outcome().label());
        }
        // A new subject is a new alert; Alertmanager groups them by the labels above.
        labels.put("subject", detection.subject());
        return labels;
    }

    /**
     * The deduplication key: SHA-256 of the sorted labels, the same identity Alertmanager gives an alert. The alert
     * table holds one row per fingerprint, and webhook consumers get it to drop redeliveries.
     */
    public String fingerprint() {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(labels()).forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        return Hashing.sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
    }

    public Map<String, String> annotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", detection.summary());
        put(annotations, "correlation_id", detection.correlationId());
        if (revert != null) {
            annotations.put("revert_detail", revert.detail());
        }
        put(annotations, "owner", context.owner());
        put(annotations, "risk", context.risk());
        if (!context.approvers().isEmpty()) {
            annotations.put("approvers", String.join(", ", context.approvers()));
        }
        put(annotations, "change_request", context.changeRequestId());
        put(annotations, "deployment_id", context.deploymentId());
        put(annotations, "pull_request", context.pullRequest());
        if (detection.suspect() != null) {
            annotations.put("suspect_event_id", detection.suspect().eventId());
        }
        AlertContext.Links links = context.links();
        put(annotations, "ledger_entry_url", links.ledgerEntry());
        put(annotations, "timeline_url", links.timeline());
        put(annotations, "console_url", links.console());
        put(annotations, "change_request_url", links.changeRequest());
        return annotations;
    }

    /** What the alert table stores; each receiver's body is rendered from it ({@link AlertRenderer}). */
    public ObjectNode document() {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        labels().forEach(doc.putObject("labels")::put);
        annotations().forEach(doc.putObject("annotations")::put);
        if (context.links().console() != null) {
            doc.put("generator_url", context.links().console());
        }
        doc.put("detected_at", detection.detectedAt().toString());
        doc.set("details", detection.details());
        return doc;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
