package io.flagledger.flagapi.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The OFREP v1 bodies as the OpenAPI document describes them. OfrepResource builds them as maps (OfrepResponses);
 * these records exist only so client generators get types, and must follow OfrepResponses' field names.
 */
final class OfrepSchemas {

    static final String REQUEST_EXAMPLE = "{\"context\": {\"targetingKey\": \"user-42\", \"country\": \"DE\", \"plan\": \"pro\"}}";

    private OfrepSchemas() {
    }

    @Schema(name = "OfrepEvaluationRequest", example = REQUEST_EXAMPLE)
    record EvaluationRequest(@Schema(description = "The evaluation context; targetingKey identifies the subject")
                             Map<String, Object> context) {
    }

    @Schema(name = "OfrepEvaluationSuccess", example = "{\"key\": \"new-checkout\", \"reason\": \"TARGETING_MATCH\", "
            + "\"variant\": \"on\", \"value\": true, \"metadata\": {\"version\": 7, \"kind\": \"release\", \"type\": \"boolean\"}}")
    record EvaluationSuccess(String key, String reason, String variant, JsonNode value, Map<String, Object> metadata) {
    }

    /** OFREP's own error body (not problem+json: OpenFeature providers parse this shape). */
    @Schema(name = "OfrepEvaluationFailure", example = "{\"key\": \"new-checkout\", \"errorCode\": \"FLAG_NOT_FOUND\", "
            + "\"errorDetails\": \"flag 'new-checkout' does not exist in this environment\"}")
    record EvaluationFailure(String key, String errorCode, String errorDetails) {
    }

    @Schema(name = "OfrepBulkEvaluation", description = "Each item is an OfrepEvaluationSuccess or an OfrepEvaluationFailure",
            example = "{\"flags\": [{\"key\": \"new-checkout\", \"reason\": \"STATIC\", \"variant\": \"on\", \"value\": true, "
                    + "\"metadata\": {\"version\": 7, \"kind\": \"release\", \"type\": \"boolean\"}}], \"eventStreams\": [{\"type\": \"sse\", "
                    + "\"url\": \"https://flags.example.com/ofrep/v1/event-stream?token=q2Vh...\", \"inactivityDelaySec\": 120}], "
                    + "\"metadata\": {}}")
    record BulkEvaluation(List<EvaluationSuccess> flags, List<EventStream> eventStreams, Map<String, Object> metadata) {
    }

    @Schema(name = "OfrepEventStream", description = "ADR-0008: connect with EventSource; each message's data is "
            + "{\"type\": \"refetchEvaluation\", \"etag\": ...}; re-fetch the bulk evaluation with ?flagConfigEtag=<etag>")
    record EventStream(String type, String url, int inactivityDelaySec) {
    }
}
