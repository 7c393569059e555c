package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.revert.RevertResult;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.Severity;
import java.util.LinkedHashMap;
import java.util.Map;

/** What is sent to people: a detection, what the monitor did about it, and the severity that follows. */
public record Alert(Detection detection, RevertResult revert) {

    public static final String ALERT_NAME = "FlagledgerFlagAnomaly";

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

    /** Alertmanager labels: what routing and silences match on. Absent values are left out, not sent empty. */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", ALERT_NAME);
        labels.put("rule", detection.rule());
        put(labels, "project", detection.key().project());
        put(labels, "flag", detection.key().flag());
        put(labels, "environment", detection.key().environment());
        put(labels, "actor", detection.actor());
        labels.put("severity", severity().label());
        if (revert != null) {
            labels.put("revert", revert.outcome().label());
        }
        // A new subject is a new alert; Alertmanager groups them by the labels above.
        labels.put("subject", detection.subject());
        return labels;
    }

    public Map<String, String> annotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", detection.summary());
        put(annotations, "correlation_id", detection.correlationId());
        if (revert != null) {
            annotations.put("revert_detail", revert.detail());
        }
        if (detection.details().hasNonNull("owner")) {
            annotations.put("owner", detection.details().get("owner").asText());
        }
        return annotations;
    }

    /** The generic webhook's body. */
    public ObjectNode webhookBody(ObjectNode target) {
        labels().forEach(target::put);
        annotations().forEach(target::put);
        target.put("detected_at", detection.detectedAt().toString());
        target.set("details", detection.details());
        return target;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
