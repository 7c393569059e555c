package io.flagledger.audit.siem;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import java.util.Locale;

/**
 * OCSF 1.3.0 <b>API Activity</b> (class 6003, category 6 Application Activity). Every Flagledger event is an
 * actor calling a management API on a resource (a flag, a change request, a legal hold), which is exactly what
 * API Activity describes with {@code actor}, {@code api.operation} and {@code resources}; Entity Management (3004)
 * is limited to IAM entities, and flags are not. The verb at the end of the action picks {@code activity_id}
 * (Create 1, Read 2, Update 3, Delete 4, Other 99); refusals ({@code *.denied}) are status Failure.
 */
final class OcsfMapping {

    static final int CLASS_UID = 6003;

    private OcsfMapping() {
    }

    static ObjectNode map(SiemRecord r) {
        AuditEvent e = r.event();
        int activity = activity(e.action());
        boolean denied = e.action().endsWith(".denied");
        ObjectNode out = SiemFormat.MAPPER.createObjectNode()
                .put("class_uid", CLASS_UID).put("class_name", "API Activity")
                .put("category_uid", 6).put("category_name", "Application Activity")
                .put("activity_id", activity).put("activity_name", activityName(activity))
                .put("type_uid", CLASS_UID * 100L + activity).put("type_name", "API Activity: " + activityName(activity))
                .put("severity_id", denied ? 3 : 1).put("severity", denied ? "Medium" : "Informational")
                .put("status_id", denied ? 2 : 1).put("status", denied ? "Failure" : "Success")
                .put("time", e.timestamp().toEpochMilli())
                .put("message", SiemFormat.summary(e));
        ObjectNode metadata = out.putObject("metadata").put("version", "1.3.0").put("uid", e.eventId())
                .put("correlation_uid", e.correlationId()).put("sequence", r.seq())
                .put("logged_time", r.receivedAt().toInstant().toEpochMilli()).put("log_name", "flagledger-audit");
        metadata.putObject("product").put("name", "Flagledger").put("vendor_name", "Flagledger")
                .putObject("feature").put("name", e.sourceService());
        ObjectNode user = out.putObject("actor").putObject("user").put("uid", e.actorId())
                .put("type_id", e.actorType() == ActorType.SERVICE ? 3 : 1)
                .put("type", e.actorType() == ActorType.SERVICE ? "System" : "User");
        if (e.actorName() != null) {
            user.put("name", e.actorName());
        }
        if (e.actorEmail() != null) {
            user.put("email_addr", e.actorEmail());
        }
        ObjectNode api = out.putObject("api").put("operation", e.action());
        api.putObject("service").put("name", e.sourceService());
        api.putObject("request").put("uid", e.eventId());
        ObjectNode resource = out.putArray("resources").addObject()
                .put("type", e.flagId() != null ? "feature_flag" : "flagledger_" + e.action().split("\\.")[0]);
        if (e.flagId() != null) {
            resource.put("uid", (e.project() == null ? "" : e.project() + "/") + e.flagId()).put("name", e.flagId());
        }
        ObjectNode data = resource.putObject("data");
        if (e.environment() != null) {
            data.put("environment", e.environment());
        }
        SiemFormat.putIfPresent(data, "previous_state", e.previousState());
        SiemFormat.putIfPresent(data, "new_state", e.newState());
        SiemFormat.putIfPresent(data, "scope", e.scope());
        if (e.request() != null) {
            if (SiemFormat.isIp(e.request().clientAddress())) {
                out.putObject("src_endpoint").put("ip", e.request().clientAddress());
            }
            if (e.request().userAgent() != null) {
                out.putObject("http_request").put("user_agent", e.request().userAgent());
            }
        }
        ObjectNode unmapped = out.putObject("unmapped").put("reason", e.reason());
        if (e.signature() != null) {
            unmapped.put("signature_key_id", e.signature().keyId());
        }
        return out;
    }

    static int activity(String action) {
        String verb = action.substring(action.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return switch (verb) {
            case "created", "placed", "requested", "issued" -> 1;
            case "read", "exported", "viewed", "queried" -> 2;
            case "deleted", "lifted", "removed", "revoked", "archived" -> 4;
            case "denied" -> 99;
            default -> 3;
        };
    }

    private static String activityName(int id) {
        return switch (id) {
            case 1 -> "Create";
            case 2 -> "Read";
            case 4 -> "Delete";
            case 99 -> "Other";
            default -> "Update";
        };
    }
}
