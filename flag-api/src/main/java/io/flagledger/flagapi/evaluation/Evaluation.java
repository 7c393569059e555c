package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.databind.JsonNode;

/** The outcome of evaluating one flag for one context, in OpenFeature terms. */
public record Evaluation(String flagKey, String variation, JsonNode value, Reason reason, ErrorCode errorCode,
                         String errorDetails, String ruleId) {

    /** OpenFeature resolution reasons. */
    public enum Reason { STATIC, TARGETING_MATCH, SPLIT, DISABLED, DEFAULT, ERROR }

    /** OpenFeature error codes. */
    public enum ErrorCode { FLAG_NOT_FOUND, PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT, TYPE_MISMATCH, GENERAL }

    static Evaluation served(String flagKey, FlagModel.Variation variation, Reason reason, String ruleId) {
        return new Evaluation(flagKey, variation.name(), variation.value(), reason, null, null, ruleId);
    }

    public static Evaluation error(String flagKey, ErrorCode code, String details) {
        return new Evaluation(flagKey, null, null, Reason.ERROR, code, details, null);
    }

    public boolean isError() {
        return errorCode != null;
    }
}
