package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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

    public enum FlagType {
        @JsonProperty("boolean") BOOLEAN,
        @JsonProperty("string") STRING,
        @JsonProperty("number") NUMBER,
        @JsonProperty("object") OBJECT;

        /** Whether a variation value has this type. */
        public boolean accepts(JsonNode value) {
            return value != null && switch (this) {
                case BOOLEAN -> value.isBoolean();
                case STRING -> value.isTextual();
                case NUMBER -> value.isNumber();
                case OBJECT -> value.isObject() || value.isArray();
            };
        }
    }

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
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rollout(String bucketBy, List<WeightedVariation> variations) {

        public static final int TOTAL_WEIGHT = 100_000;
    }

    /** Either a fixed variation or a rollout. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
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
        public Clause {
            values = values == null ? List.of() : values;
        }
    }

    /** Clauses are AND-ed; the first matching rule (in order) decides. */
    public record Rule(String id, List<Clause> clauses, Serve serve) {
        public Rule {
            clauses = clauses == null ? List.of() : clauses;
        }
    }

    /** Context keys that always get one variation, checked before rules. */
    public record Target(String variation, Set<String> values) {
        public Target {
            values = values == null ? Set.of() : values;
        }
    }

    /** A flag's configuration in one environment. */
    public record EnvironmentConfig(boolean enabled, String offVariation, List<Target> targets, List<Rule> rules,
                                    Serve fallthrough) {
        public EnvironmentConfig {
            targets = targets == null ? List.of() : targets;
            rules = rules == null ? List.of() : rules;
        }

        public EnvironmentConfig withEnabled(boolean on) {
            return new EnvironmentConfig(on, offVariation, targets, rules, fallthrough);
        }
    }

    /** A reusable audience: explicit includes and excludes by targeting key, then rules (any rule matching includes). */
    public record Segment(String key, Set<String> included, Set<String> excluded, List<Rule> rules) {
        public Segment {
            included = included == null ? Set.of() : included;
            excluded = excluded == null ? Set.of() : excluded;
            rules = rules == null ? List.of() : rules;
        }
    }

    /** Clause operators. */
    public enum Operator {
        @JsonProperty("in") IN,
        @JsonProperty("notIn") NOT_IN,
        @JsonProperty("startsWith") STARTS_WITH,
        @JsonProperty("endsWith") ENDS_WITH,
        @JsonProperty("contains") CONTAINS,
        @JsonProperty("matches") MATCHES,
        @JsonProperty("lessThan") LESS_THAN,
        @JsonProperty("lessThanOrEqual") LESS_THAN_OR_EQUAL,
        @JsonProperty("greaterThan") GREATER_THAN,
        @JsonProperty("greaterThanOrEqual") GREATER_THAN_OR_EQUAL,
        @JsonProperty("semverEqual") SEMVER_EQUAL,
        @JsonProperty("semverLessThan") SEMVER_LESS_THAN,
        @JsonProperty("semverGreaterThan") SEMVER_GREATER_THAN,
        @JsonProperty("segmentMatch") SEGMENT_MATCH
    }
}
