package io.flagledger.flagapi.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.SafeText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reads an OFREP request body: {@code {"context": {...}}}; a missing context is an empty one. */
final class OfrepRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OfrepRequests() {
    }

    /**
     * @param body the request's bytes, parsed as strict UTF-8 (as bytes, not as a String the HTTP layer decoded, which
     *             would turn a lone surrogate's bytes into U+FFFD and let it pass)
     * @return the context object, or null when the body is not such JSON
     */
    static JsonNode context(byte[] body) {
        if (blank(body)) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                return null;
            }
            JsonNode context = root.get("context");
            if (context == null || context.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            return context.isObject() ? context : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static boolean blank(byte[] body) {
        if (body != null) {
            for (byte b : body) {
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Why this context cannot be evaluated, or {@code null}: the shared {@link SafeText} rule, so a context never
     * carries what an event could not (evaluation contexts feed evaluation counts and may be recorded). The
     * targeting key and attribute names are single-line values; the tree's strings are free text, its numbers finite
     * ({@code 1e400} is refused rather than read as infinity), its nesting within {@link SafeText#MAX_JSON_DEPTH}.
     * The answer starts with the attribute's path, e.g. {@code context.targetingKey: contains the control character ...}.
     */
    static String contextViolation(JsonNode context) {
        for (Iterator<String> names = context.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String v = SafeText.lineViolation(name);
            if (v != null) {
                return "context: attribute name " + SafeText.escape(name) + " " + v;
            }
        }
        JsonNode targetingKey = context.get("targetingKey");
        if (targetingKey != null && !targetingKey.isTextual() && !targetingKey.isNull()) {
            return "context.targetingKey: must be a string"; // OFREP's schema; other attributes may be any JSON
        }
        if (targetingKey != null && targetingKey.isTextual()) {
            String v = SafeText.lineViolation(targetingKey.textValue());
            if (v != null) {
                return "context.targetingKey: " + v;
            }
        }
        List<String> violations = new ArrayList<>(1);
        SafeText.jsonViolations("context", context, violations, 1);
        return violations.isEmpty() ? null : violations.get(0);
    }
}
