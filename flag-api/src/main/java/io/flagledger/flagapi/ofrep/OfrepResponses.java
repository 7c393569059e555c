package io.flagledger.flagapi.ofrep;

import io.flagledger.flagapi.evaluation.Evaluation;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** OFREP v1 response bodies. */
final class OfrepResponses {

    private OfrepResponses() {
    }

    static Map<String, Object> success(Evaluation result, EvaluationSnapshot.Entry entry) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", result.flagKey());
        body.put("reason", result.reason().name());
        body.put("variant", result.variation());
        body.put("value", result.value());
        // The declared type tells a provider which typed getter the value is for (a float flag's 1 arrives as 1.0).
        body.put("metadata", Map.of("version", entry.version(), "kind", entry.kind(),
                "type", entry.definition().type().name().toLowerCase(java.util.Locale.ROOT)));
        return body;
    }

    static Map<String, Object> errorBody(String key, Evaluation.ErrorCode code, String details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("errorCode", code.name());
        body.put("errorDetails", details);
        return body;
    }

    static Response error(int status, String key, Evaluation.ErrorCode code, String details) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(errorBody(key, code, details)).build();
    }

    static Response bulkError(Evaluation.ErrorCode code, String details) {
        return Response.status(400).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("errorCode", code.name(), "errorDetails", details)).build();
    }

    static Response unauthorized() {
        return Response.status(401).type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", "Unauthorized", "status", 401,
                        "detail", "A valid SDK key for this environment is required (Authorization: Bearer <key> or X-API-Key)"))
                .build();
    }

    static Response unavailable() {
        return Response.status(503).header("Retry-After", "1").type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", "Service Unavailable", "status", 503,
                        "detail", "The evaluation snapshot is still loading"))
                .build();
    }
}
