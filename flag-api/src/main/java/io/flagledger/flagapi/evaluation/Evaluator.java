package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.flagapi.evaluation.Evaluation.ErrorCode;
import io.flagledger.flagapi.evaluation.Evaluation.Reason;
import io.flagledger.flagapi.evaluation.FlagModel.Clause;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.Rule;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.Target;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation;
import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Evaluates a flag for a context: off → off variation (DISABLED); individual targets → TARGETING_MATCH;
 * the first matching rule → TARGETING_MATCH or SPLIT; otherwise the fallthrough → STATIC when the flag has
 * no targeting at all, SPLIT for a rollout, DEFAULT otherwise.
 */
public final class Evaluator {

    public static final String TARGETING_KEY = "targetingKey";

    private final Function<String, Segment> segments;

    /** @param segments the environment's segments by key (null for an unknown key) */
    public Evaluator(Function<String, Segment> segments) {
        this.segments = segments;
    }

    public Evaluation evaluate(FlagDefinition flag, EnvironmentConfig config, JsonNode context) {
        if (context == null || !context.isObject()) {
            return Evaluation.error(flag.key(), ErrorCode.INVALID_CONTEXT, "the context must be a JSON object");
        }
        if (!config.enabled()) {
            return serveNamed(flag, config.offVariation(), Reason.DISABLED, null);
        }
        String targetingKey = text(context.get(TARGETING_KEY));
        if (targetingKey != null) {
            for (Target target : config.targets()) {
                if (target.values().contains(targetingKey)) {
                    return serveNamed(flag, target.variation(), Reason.TARGETING_MATCH, null);
                }
            }
        }
        for (Rule rule : config.rules()) {
            if (matchesAll(rule, context, 0)) {
                return serve(flag, rule.serve(), context, Reason.TARGETING_MATCH, rule.id());
            }
        }
        boolean untargeted = config.targets().isEmpty() && config.rules().isEmpty();
        return serve(flag, config.fallthrough(), context, untargeted ? Reason.STATIC : Reason.DEFAULT, null);
    }

    private Evaluation serve(FlagDefinition flag, Serve serve, JsonNode context, Reason fixedReason, String ruleId) {
        if (serve.rollout() == null) {
            return serveNamed(flag, serve.variation(), fixedReason, ruleId);
        }
        String bucketBy = serve.rollout().bucketBy() == null ? TARGETING_KEY : serve.rollout().bucketBy();
        String value = text(attribute(context, bucketBy));
        if (value == null) {
            return TARGETING_KEY.equals(bucketBy)
                    ? Evaluation.error(flag.key(), ErrorCode.TARGETING_KEY_MISSING, "a percentage rollout needs a targetingKey")
                    : Evaluation.error(flag.key(), ErrorCode.INVALID_CONTEXT, "a percentage rollout buckets by '" + bucketBy + "', which the context lacks");
        }
        int bucket = Bucketing.bucket(flag.key(), flag.salt(), value);
        int cumulative = 0;
        WeightedVariation last = null;
        for (WeightedVariation share : serve.rollout().variations()) {
            cumulative += share.weight();
            last = share;
            if (bucket < cumulative) {
                break;
            }
        }
        return serveNamed(flag, last.variation(), Reason.SPLIT, ruleId);
    }

    private static Evaluation serveNamed(FlagDefinition flag, String name, Reason reason, String ruleId) {
        Variation variation = flag.variation(name);
        if (variation == null) {
            return Evaluation.error(flag.key(), ErrorCode.GENERAL, "the configuration names an unknown variation '" + name + "'");
        }
        return Evaluation.served(flag.key(), variation, reason, ruleId);
    }

    private boolean matchesAll(Rule rule, JsonNode context, int depth) {
        for (Clause clause : rule.clauses()) {
            if (!matches(clause, context, depth)) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(Clause clause, JsonNode context, int depth) {
        boolean result = clause.operator() == FlagModel.Operator.SEGMENT_MATCH
                ? inAnySegment(clause, context, depth)
                : Operators.test(clause.operator(), attribute(context, clause.attribute()), clause.values());
        return clause.negate() != result;
    }

    private boolean inAnySegment(Clause clause, JsonNode context, int depth) {
        if (depth > 0) {
            return false; // segments may not nest; validation refuses it, evaluation must not loop either way
        }
        String key = text(context.get(TARGETING_KEY));
        for (JsonNode segmentKey : clause.values()) {
            Segment segment = segments.apply(segmentKey.asText());
            if (segment == null || (key != null && segment.excluded().contains(key))) {
                continue;
            }
            if ((key != null && segment.included().contains(key))
                    || segment.rules().stream().anyMatch(r -> matchesAll(r, context, depth + 1))) {
                return true;
            }
        }
        return false;
    }

    /** A top-level attribute, or a nested one addressed as a JSON pointer ("/address/country"). */
    static JsonNode attribute(JsonNode context, String name) {
        JsonNode node = name.startsWith("/") ? context.at(name) : context.get(name);
        return node == null || node.isMissingNode() || node.isNull() ? null : node;
    }

    static String text(JsonNode node) {
        if (node == null || node.isContainerNode()) {
            return null;
        }
        return node.isNumber() ? new BigDecimal(node.asText()).stripTrailingZeros().toPlainString() : node.asText();
    }
}
