package io.flagledger.contract.diff;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A config's rules as flag-api evaluates them: first match wins, top to bottom, then the fallthrough. The console
 * shows this list before and after a change, so a re-ordering reads as what it is, a change of meaning.
 */
public final class RuleOrder {

    /** One step: its position (1 first), the rule id ({@code null} for the fallthrough), the condition and what it serves. */
    public record Step(int position, String id, String when, String serve) {
    }

    private RuleOrder() {
    }

    /** The rules of a flag config (or segment definition, whose rules serve membership) in evaluation order. */
    public static List<Step> of(JsonNode config) {
        List<Step> steps = new ArrayList<>();
        if (config == null) {
            return steps;
        }
        for (JsonNode rule : config.path("rules")) {
            steps.add(new Step(steps.size() + 1, rule.path("id").asText(null), when(rule.path("clauses")), serve(rule.path("serve"))));
        }
        JsonNode fallthrough = config.path("fallthrough");
        if (!fallthrough.isMissingNode() && !fallthrough.isNull()) {
            steps.add(new Step(steps.size() + 1, null, "everyone else", serve(fallthrough)));
        }
        return steps;
    }

    private static String when(JsonNode clauses) {
        List<String> parts = new ArrayList<>();
        for (JsonNode c : clauses) {
            String op = c.path("operator").asText("?");
            parts.add(c.path("attribute").asText("?") + (c.path("negate").asBoolean(false) ? " not " : " ") + op + " "
                    + c.path("values"));
        }
        return parts.isEmpty() ? "always" : String.join(" and ", parts);
    }

    /** {@code on}, or a rollout as percentages in its own (bucketing) order: {@code on 10%, off 90%}. */
    private static String serve(JsonNode serve) {
        if (serve.hasNonNull("variation")) {
            return serve.get("variation").asText();
        }
        JsonNode rollout = serve.path("rollout");
        if (rollout.isObject()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode v : rollout.path("variations")) {
                parts.add(v.path("variation").asText("?") + " "
                        + String.format(Locale.ROOT, "%.3f", v.path("weight").asDouble() / 1000).replaceAll("\\.?0+$", "") + "%");
            }
            String bucketBy = rollout.path("bucketBy").asText("");
            return String.join(", ", parts) + (bucketBy.isEmpty() ? "" : " by " + bucketBy);
        }
        return serve.isMissingNode() || serve.isNull() ? "" : serve.toString();
    }
}
