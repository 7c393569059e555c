package io.flagledger.flagapi.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Reads an OFREP request body: {@code {"context": {...}}}; a missing context is an empty one. */
final class OfrepRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OfrepRequests() {
    }

    /** @return the context object, or null when the body is not such JSON */
    static JsonNode context(String body) {
        if (body == null || body.isBlank()) {
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
}
