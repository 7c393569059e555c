package io.flagledger.monitor.changes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * Which share of the traffic that reaches the fallthrough gets each variation, in percent. This is the number a
 * percentage rollout moves; individual targets and rules are judged separately.
 */
public final class Exposure {

    private static final double TOTAL_WEIGHT = 100_000.0;

    private Exposure() {
    }

    /** Percent per variation of an environment state ({@code enabled}, {@code offVariation}, {@code fallthrough}). */
    public static Map<String, Double> of(JsonNode state) {
        Map<String, Double> shares = new HashMap<>();
        if (state == null || state.isMissingNode()) {
            return shares;
        }
        if (!state.path("enabled").asBoolean(false)) {
            shares.put(state.path("offVariation").asText(), 100.0);
            return shares;
        }
        JsonNode fallthrough = state.path("fallthrough");
        if (fallthrough.hasNonNull("variation")) {
            shares.put(fallthrough.get("variation").asText(), 100.0);
        }
        for (JsonNode share : fallthrough.path("rollout").path("variations")) {
            shares.merge(share.path("variation").asText(), share.path("weight").asDouble() * 100.0 / TOTAL_WEIGHT, Double::sum);
        }
        return shares;
    }

    /** The largest rise of any variation other than the off variation between two states, in percentage points. */
    public static double largestRise(JsonNode before, JsonNode after) {
        Map<String, Double> old = of(before);
        Map<String, Double> now = of(after);
        String off = after == null ? "" : after.path("offVariation").asText();
        return now.entrySet().stream()
                .filter(e -> !e.getKey().equals(off))
                .mapToDouble(e -> e.getValue() - old.getOrDefault(e.getKey(), 0.0))
                .max().orElse(0.0);
    }

    /** Whether every evaluation gets the same non-off variation: nothing left to roll out. */
    public static boolean fullyRolledOut(JsonNode state) {
        if (state == null || !state.path("enabled").asBoolean(false) || state.path("rules").size() > 0
                || state.path("targets").size() > 0) {
            return false;
        }
        Map<String, Double> shares = of(state);
        String off = state.path("offVariation").asText();
        return shares.size() == 1 && !shares.containsKey(off) && shares.values().iterator().next() >= 100.0;
    }
}
