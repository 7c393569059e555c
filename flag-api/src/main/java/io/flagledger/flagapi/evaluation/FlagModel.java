package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The targeting model evaluated for applications. Records only: evaluation is a pure function of these
 * and the evaluation context, so it can run from an in-memory snapshot on any replica with the same result.
 */
public final class FlagModel {

    private FlagModel() {
    }

    public enum FlagType { BOOLEAN, STRING, NUMBER, OBJECT }

    /** One possible value of a flag. */
    public record Variation(String name, JsonNode value) {
    }

    /** What a flag is, independent of environment. */
    public record FlagDefinition(String key, FlagType type, List<Variation> variations, String salt) {

        public Variation variation(String name) {
            return variations.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** A share of a rollout: {@code weight} in thousandths of a percent (all weights of a rollout sum to 100000). */
    public record WeightedVariation(String variation, int weight) {
    }

    /** Deterministic percentage split, bucketed by a context attribute (default {@code targetingKey}). */
    public record Rollout(String bucketBy, List<WeightedVariation> variations) {

        public static final int TOTAL_WEIGHT = 100_000;
    }

    /** Either a fixed variation or a rollout. */
    public record Serve(String variation, Rollout rollout) {

        public static Serve of(String variation) {
            return new Serve(variation, null);
        }

        public static Serve split(Rollout rollout) {
            return new Serve(null, rollout);
        }
    }

    /** A condition on one context attribute; several values are OR-ed, {@code negate} inverts the result. */
    public record Clause(String attribute, Operator operator, List<JsonNode> values, boolean negate) {
    }

    /** Clauses are AND-ed; the first matching rule (in order) decides. */
    public record Rule(String id, List<Clause> clauses, Serve serve) {
    }

    /** Context keys that always get one variation, checked before rules. */
    public record Target(String variation, Set<String> values) {
    }

    /** A flag's configuration in one environment. */
    public record EnvironmentConfig(boolean enabled, String offVariation, List<Target> targets, List<Rule> rules,
                                    Serve fallthrough) {
    }

    /** A reusable audience: explicit includes and excludes by targeting key, then rules (any rule matching includes). */
    public record Segment(String key, Set<String> included, Set<String> excluded, List<Rule> rules) {
    }

    /** Clause operators. */
    public enum Operator {
        IN, NOT_IN, STARTS_WITH, ENDS_WITH, CONTAINS, MATCHES,
        LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL,
        SEMVER_EQUAL, SEMVER_LESS_THAN, SEMVER_GREATER_THAN,
        SEGMENT_MATCH
    }
}
