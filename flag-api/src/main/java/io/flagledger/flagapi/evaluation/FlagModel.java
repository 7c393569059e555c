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

    /**
     * OpenFeature's value types. {@code number} is the type flags had before integer and float existed: a request
     * may still name it (it becomes {@link #INTEGER} when every value is an integer in range, else {@link #FLOAT},
     * as migration V12 did to stored flags), and events recorded before still carry it; nothing stores it any more.
     */
    public enum FlagType {
        @JsonProperty("boolean") BOOLEAN,
        @JsonProperty("string") STRING,
        @JsonProperty("integer") INTEGER,
        @JsonProperty("float") FLOAT,
        @JsonProperty("object") OBJECT,
        @JsonProperty("number") NUMBER;

        /**
         * Why a variation value is not of this type, or null. Integers are whole and fit 32 bits (what Java's
         * {@code getIntegerValue} reads; JavaScript's numbers hold them exactly); floats are finite doubles.
         */
        public String violation(JsonNode value) {
            if (value == null || value.isNull()) {
                return "is missing";
            }
            return switch (this) {
                case BOOLEAN -> value.isBoolean() ? null : "is not a boolean";
                case STRING -> value.isTextual() ? null : "is not a string";
                case INTEGER -> !value.isNumber() ? "is not an integer"
                        : !finite(value) ? "is not a finite number"
                        : !integral(value) ? "is not a whole number"
                        : !fitsInt(value) ? "is out of the integer range [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]"
                        : null;
                case FLOAT, NUMBER -> !value.isNumber() ? "is not a number"
                        : finite(value) && Double.isFinite(value.doubleValue()) ? null : "is not a finite number";
                // OpenFeature's object type is a structure: an array (or a scalar) is not one (docs/sdk.md)
                case OBJECT -> value.isObject() ? null : "is not a JSON object";
            };
        }

        /** The type a flag declared as {@code number} (or any type) is stored as, given its variation values. */
        public FlagType resolve(java.util.Collection<JsonNode> values) {
            if (this != NUMBER) {
                return this;
            }
            return values.stream().allMatch(v -> INTEGER.violation(v) == null) ? INTEGER : FLOAT;
        }

        /**
         * The value as this type serves it: a float always as a JSON float ({@code 1.0}, not {@code 1}), an integer
         * always as a JSON integer ({@code 2}, not {@code 2.0}), so a typed OpenFeature getter gets its own type.
         */
        public JsonNode canonical(JsonNode value) {
            if (value == null || !value.isNumber()) {
                return value;
            }
            return switch (this) {
                case INTEGER -> finite(value) && integral(value) && fitsInt(value)
                        ? com.fasterxml.jackson.databind.node.IntNode.valueOf(value.decimalValue().intValueExact()) : value;
                case FLOAT -> !finite(value) ? value : com.fasterxml.jackson.databind.node.DoubleNode.valueOf(value.doubleValue());
                default -> value;
            };
        }

        /** JSON has no infinity, but a parser reads 1e400 as one when it does not keep big decimals. */
        private static boolean finite(JsonNode value) {
            return !(value.isDouble() || value.isFloat()) || Double.isFinite(value.doubleValue());
        }

        private static boolean integral(JsonNode value) {
            if (value.isIntegralNumber()) {
                return true;
            }
            java.math.BigDecimal decimal = value.decimalValue();
            return decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0;
        }

        private static boolean fitsInt(JsonNode value) {
            java.math.BigDecimal decimal = value.decimalValue();
            return decimal.compareTo(java.math.BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
                    && decimal.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0;
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
