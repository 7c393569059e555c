package io.flagledger.monitor.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import java.time.Instant;

/**
 * A rule fired. {@code subject} identifies what it fired about (a change's event id, or a stale flag's state), so
 * the same finding is acted on once. {@code suspect} is the change to revert, when there is one;
 * {@code thresholdCrossedAt} is when a signal crossed its threshold, for the threshold-to-revert metric.
 */
public record Detection(
        String rule,
        Severity severity,
        String subject,
        FlagChange suspect,
        FlagKey key,
        String correlationId,
        String actor,
        String summary,
        ObjectNode details,
        Instant detectedAt,
        Instant thresholdCrossedAt) {

    public static Detection of(String rule, Severity severity, FlagChange suspect, String summary, ObjectNode details,
                               Instant detectedAt) {
        return new Detection(rule, severity, suspect.eventId(), suspect, suspect.key(), suspect.correlation(),
                suspect.actorName() != null ? suspect.actorName() : suspect.actorId(), summary,
                details == null ? JsonNodeFactory.instance.objectNode() : details, detectedAt, null);
    }

    public Detection withThresholdCrossedAt(Instant crossedAt) {
        return new Detection(rule, severity, subject, suspect, key, correlationId, actor, summary, details, detectedAt, crossedAt);
    }

    public static ObjectNode newDetails() {
        return JsonNodeFactory.instance.objectNode();
    }
}
