package io.flagledger.flagapi.ofrep;

import io.flagledger.flagapi.evaluation.Evaluation;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private record AnswerKey(String variant, Evaluation.Reason reason, String ruleId) {
    }

    /**
     * {@link #success} as JSON bytes, encoded once per entry, variation, reason and rule: an answer depends on the
     * context only through which of these it picked, and the entry (hence the cache) is replaced by any change.
     */
    static byte[] encodedSuccess(Evaluation result, EvaluationSnapshot.Entry entry) {
        return entry.memo().computeIfAbsent(new AnswerKey(result.variation(), result.reason(), result.ruleId()),
                key -> encode(success(result, entry)));
    }

    private static byte[] encode(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A bulk answer, {@code {"flags": [...], "eventStreams": [...], "metadata": {}}}, written as bytes from the encoded
     * answers.
     */
    static final class BulkWriter {
        private static final byte[] START = "{\"flags\":[".getBytes(StandardCharsets.UTF_8);
        private static final byte[] END = ",\"metadata\":{}}".getBytes(StandardCharsets.UTF_8);
        private final ByteArrayOutputStream out;
        private boolean first = true;

        BulkWriter(int flags) {
            out = new ByteArrayOutputStream(32 + flags * 128);
            out.writeBytes(START);
        }

        void add(Evaluation result, EvaluationSnapshot.Entry entry) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.writeBytes(result.isError() ? encode(errorBody(result.flagKey(), result.errorCode(), result.errorDetails()))
                    : encodedSuccess(result, entry));
        }

        /** Closes the flags and names the OFREP event stream (ADR-0008) that announces changes. */
        byte[] finish(String streamUrl, long inactivityDelaySec) {
            out.write(']');
            out.writeBytes(",\"eventStreams\":".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(encode(java.util.List.of(Map.of("type", "sse", "url", streamUrl, "inactivityDelaySec", inactivityDelaySec))));
            out.writeBytes(END);
            return out.toByteArray();
        }
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
