package io.flagledger.monitor.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A flag change as the rules see it: the signed event from {@code flag.changes}, flattened. */
public record FlagChange(
        String eventId,
        String correlationId,
        Instant timestamp,
        String action,
        String project,
        String flag,
        String environment,
        String actorId,
        ActorType actorType,
        String actorName,
        List<String> actorRoles,
        Channel channel,
        JsonNode previousState,
        JsonNode newState,
        JsonNode scope,
        String reason) {

    public static final String CREATED = "flag.created";
    public static final String REVERTED = "flag.reverted";

    public FlagChange {
        actorRoles = actorRoles == null ? List.of() : List.copyOf(actorRoles);
    }

    public static FlagChange of(AuditEvent e) {
        return new FlagChange(e.eventId(), e.correlationId(), e.timestamp(), e.action(), e.project(), e.flagId(),
                e.environment(), e.actorId(), e.actorType(), e.actorName(), e.actorRoles(),
                e.request() == null ? null : e.request().channel(), e.previousState(), e.newState(), e.scope(), e.reason());
    }

    public FlagKey key() {
        return new FlagKey(project, flag, environment);
    }

    /** The id that links this change, the monitor's detection and its revert in the ledger. */
    public String correlation() {
        return correlationId == null || correlationId.isBlank() ? eventId : correlationId;
    }

    /** A change to one environment's configuration (creation events carry the whole flag instead). */
    public boolean isEnvironmentChange() {
        return environment != null && newState != null && newState.has("version");
    }

    /**
     * The environments this change affects: its own, or for a flag-wide change (archive, restore, metadata) the
     * environments its event's {@code scope.environments} names.
     */
    public List<String> affectedEnvironments() {
        if (environment != null) {
            return List.of(environment);
        }
        List<String> names = new java.util.ArrayList<>();
        if (scope != null) {
            scope.path("environments").forEach(e -> {
                if (e.isTextual()) {
                    names.add(e.asText());
                }
            });
        }
        return names;
    }

    /** A change of the whole flag that lands in several environments at once. */
    public boolean isFlagWideChange() {
        return environment == null && !CREATED.equals(action) && !affectedEnvironments().isEmpty();
    }

    /**
     * Whether this change lands in one of {@code protectedEnvironments}: an environment change there, or a flag-wide
     * change (archiving a flag stops production serving it as surely as turning it off does).
     */
    public boolean touches(java.util.Set<String> protectedEnvironments) {
        if (isEnvironmentChange()) {
            return protectedEnvironments.contains(environment);
        }
        return isFlagWideChange() && affectedEnvironments().stream().anyMatch(protectedEnvironments::contains);
    }

    public boolean isRevert() {
        return REVERTED.equals(action) || text(scope, "revert_of").isPresent();
    }

    public boolean breakGlass() {
        return scope != null && scope.path("break_glass").asBoolean(false);
    }

    public Optional<String> approvalId() {
        return scope == null ? Optional.empty() : text(scope.path("approval"), "change_request_id");
    }

    /**
     * Who approved this change: the approval scope flag-api recorded from the verified approval token (empty when the
     * change carries none). An approved change is the approvers' decision, whoever (approval-service) applied it.
     */
    public List<String> approvers() {
        List<String> names = new java.util.ArrayList<>();
        if (scope != null) {
            scope.path("approval").path("approvers").forEach(a -> {
                if (a.isTextual() && !a.asText().isBlank()) {
                    names.add(a.asText());
                }
            });
        }
        return names;
    }

    /** A change applied under an approval: a change request and at least one approver in its approval scope. */
    public boolean approved() {
        return approvalId().isPresent() && !approvers().isEmpty();
    }

    /** The apply window of the approving policy, as the approval token stated it; empty when the policy has none. */
    public Optional<String> applyWindow() {
        return scope == null ? Optional.empty() : text(scope.path("approval"), "apply_window");
    }

    /** A service identity acting on its own: neither under an approval nor reverting a change. */
    public boolean serviceWithoutMandate() {
        return actorType == ActorType.SERVICE && !approved() && !isRevert();
    }

    public long newVersion() {
        return newState == null ? -1 : newState.path("version").asLong(-1);
    }

    /** The configuration to restore on revert: the previous state without flag-api's version field. */
    public Optional<ObjectNode> configBefore() {
        if (!(previousState instanceof ObjectNode before)) {
            return Optional.empty();
        }
        ObjectNode config = before.deepCopy();
        config.remove("version");
        return Optional.of(config);
    }

    public boolean hasRole(String role) {
        return actorRoles.contains(role);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText());
    }
}
