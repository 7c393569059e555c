package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.http.AuditApi;
import io.flagledger.cli.http.Http;
import java.util.LinkedHashMap;
import java.util.Map;

/** Who last changed what drifted, and when: the newest ledger entry for that flag (or segment) and environment. */
final class Drift {

    record LastChange(String actor, String actorId, String at, String action, String correlationId) {
        @Override
        public String toString() {
            return "last changed by " + actor + " at " + at + " (" + action + (correlationId == null ? "" : ", correlation " + correlationId) + ")";
        }
    }

    private Drift() {
    }

    static LastChange of(AuditApi audit, String project, Plan.Change change) {
        if (change.flag() != null) {
            JsonNode timeline = Http.json(audit.timeline(project, change.flag(), null, 200), "timeline of " + change.flag(), 200);
            for (JsonNode item : timeline.path("items")) { // newest first
                JsonNode e = item.path("event");
                if (e.path("action").asText().startsWith("flag.") && change.flag().equals(e.path("flag_id").asText())
                        && (change.environment() == null || change.environment().equals(e.path("environment").asText()))) {
                    return lastChange(e);
                }
            }
            return null;
        }
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("project", project);
        filter.put("environment", change.environment());
        filter.put("limit", "500");
        JsonNode newest = null;
        String cursor = null;
        do {
            if (cursor != null) {
                filter.put("cursor", cursor);
            }
            JsonNode page = Http.json(audit.events(filter), "ledger of " + project, 200);
            for (JsonNode item : page.path("items")) {
                JsonNode e = item.path("event");
                if (e.path("action").asText().startsWith("segment.") && change.segment().equals(e.path("flag_id").asText())) {
                    newest = e;
                }
            }
            cursor = page.path("nextCursor").isNumber() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return newest == null ? null : lastChange(newest);
    }

    private static LastChange lastChange(JsonNode e) {
        String name = e.path("actor_name").asText("");
        return new LastChange(name.isEmpty() ? e.path("actor_id").asText() : name, e.path("actor_id").asText(),
                e.path("timestamp").asText(), e.path("action").asText(),
                e.path("correlation_id").isTextual() ? e.path("correlation_id").asText() : null);
    }
}
