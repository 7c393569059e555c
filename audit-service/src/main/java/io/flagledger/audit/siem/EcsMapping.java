package io.flagledger.audit.siem;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;

/**
 * Elastic Common Schema 8.11: a flag change is {@code event.category: configuration}, {@code event.type: change}
 * (access refusals {@code iam}/{@code denied}); ECS has no place for flag, environment or the before/after state, so
 * those live under the custom {@code flagledger.*} object, as ECS recommends for vendor fields.
 */
final class EcsMapping {

    private EcsMapping() {
    }

    static ObjectNode map(SiemRecord r) {
        AuditEvent e = r.event();
        ObjectNode out = SiemFormat.MAPPER.createObjectNode();
        out.put("@timestamp", e.timestamp().toString());
        out.putObject("ecs").put("version", "8.11.0");
        out.put("message", SiemFormat.summary(e));
        boolean denied = e.action().endsWith(".denied");
        ObjectNode event = out.putObject("event").put("id", e.eventId()).put("kind", "event").put("action", e.action())
                .put("outcome", denied ? "failure" : "success").put("dataset", "flagledger.audit").put("module", "flagledger")
                .put("provider", e.sourceService()).put("sequence", r.seq()).put("created", r.receivedAt().toInstant().toString());
        event.putArray("category").add(denied ? "iam" : "configuration");
        event.putArray("type").add(denied ? "denied" : "change");
        if (e.reason() != null) {
            event.put("reason", e.reason());
        }
        ObjectNode user = out.putObject("user").put("id", e.actorId());
        if (e.actorName() != null) {
            user.put("name", e.actorName());
        }
        if (e.actorEmail() != null) {
            user.put("email", e.actorEmail());
        }
        if (e.actorRoles() != null && !e.actorRoles().isEmpty()) {
            e.actorRoles().forEach(user.putArray("roles")::add);
        }
        out.putObject("service").put("name", e.sourceService());
        if (e.request() != null) {
            if (SiemFormat.isIp(e.request().clientAddress())) {
                out.putObject("source").put("ip", e.request().clientAddress());
            }
            if (e.request().userAgent() != null) {
                out.putObject("user_agent").put("original", e.request().userAgent());
            }
        }
        ObjectNode custom = out.putObject("flagledger").put("seq", r.seq()).put("correlation_id", e.correlationId())
                .put("actor_type", e.actorType().name().toLowerCase(java.util.Locale.ROOT))
                .put("signature_key_id", e.signature() == null ? null : e.signature().keyId());
        if (e.project() != null) {
            custom.put("project", e.project());
        }
        if (e.flagId() != null) {
            custom.put("flag", e.flagId());
        }
        if (e.environment() != null) {
            custom.put("environment", e.environment());
        }
        if (e.request() != null && e.request().channel() != null) {
            custom.put("channel", e.request().channel().name().toLowerCase(java.util.Locale.ROOT));
        }
        SiemFormat.putIfPresent(custom, "previous_state", e.previousState());
        SiemFormat.putIfPresent(custom, "new_state", e.newState());
        SiemFormat.putIfPresent(custom, "scope", e.scope());
        return out;
    }
}
