package io.flagledger.approval.requests;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The incident freeze an approved request's apply met (flag-api answered 423 naming it): shown in the API and the
 * console until the request is applied. Only flag-api's own fields, as text.
 */
public record FrozenBy(String id, String environment, String reason, String setBy, String setAt) {

    /** From flag-api's 423 problem's {@code freeze} member; null when it names none. */
    public static FrozenBy of(JsonNode freeze) {
        if (freeze == null || !freeze.isObject() || !freeze.path("id").isTextual()) {
            return null;
        }
        return new FrozenBy(freeze.path("id").asText(), text(freeze, "environment"), text(freeze, "reason"),
                text(freeze, "setBy"), text(freeze, "setAt"));
    }

    /** Where it applies, e.g. {@code shop/production} or {@code every environment of shop}. */
    public String scope(String project) {
        return environment == null ? "every environment of " + project : project + "/" + environment;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }
}
