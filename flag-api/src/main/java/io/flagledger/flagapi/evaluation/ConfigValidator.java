package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.common.problem.Problem.FieldError;
import io.flagledger.flagapi.evaluation.FlagModel.Clause;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.Operator;
import io.flagledger.flagapi.evaluation.FlagModel.Rule;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.Target;
import io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Refuses an environment configuration the evaluator could not serve, naming each offending field. */
public final class ConfigValidator {

    static final int MAX_RULES = 200;
    static final int MAX_CLAUSES = 50;
    static final int MAX_VALUES = 1000;
    static final int MAX_TARGET_VALUES = 10_000;
    static final int MAX_TEXT = 256;
    /**
     * Elements of any array in a configuration or segment as sent: the largest legitimate one is a target or segment
     * list. Checked on the raw JSON because sets would silently collapse 100,000 equal elements into one.
     */
    public static final int MAX_ARRAY_ELEMENTS = MAX_TARGET_VALUES;

    /** Explicit includes plus excludes of one segment: a segment is an audience list, but its event must stay in budget. */
    static final int MAX_SEGMENT_KEYS = MAX_ARRAY_ELEMENTS;

    private final FlagDefinition flag;
    private final List<FieldError> errors = new ArrayList<>();

    private ConfigValidator(FlagDefinition flag) {
        this.flag = flag;
    }

    /** The first array of {@code json} (named {@code field}) with more than {@link #MAX_ARRAY_ELEMENTS} elements, if any. */
    public static List<FieldError> arrayViolations(String field, JsonNode json) {
        if (json == null) {
            return List.of();
        }
        if (json.isArray() && json.size() > MAX_ARRAY_ELEMENTS) {
            return List.of(new FieldError(field, "at most " + MAX_ARRAY_ELEMENTS + " elements, got " + json.size()));
        }
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> member = it.next();
            List<FieldError> found = arrayViolations(field + "." + member.getKey(), member.getValue());
            if (!found.isEmpty()) {
                return found;
            }
        }
        for (int i = 0; json.isArray() && i < json.size(); i++) {
            List<FieldError> found = arrayViolations(field + "[" + i + "]", json.get(i));
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    public static List<FieldError> violations(FlagDefinition flag, EnvironmentConfig config) {
        ConfigValidator validator = new ConfigValidator(flag);
        validator.check(config);
        return validator.errors;
    }

    /** Refuses a segment definition the evaluator could not serve or its event could not carry, naming each field. */
    public static List<FieldError> violations(Segment segment) {
        ConfigValidator validator = new ConfigValidator(null);
        validator.check(segment);
        return validator.errors;
    }

    private void check(Segment segment) {
        if (segment.included().size() + segment.excluded().size() > MAX_SEGMENT_KEYS) {
            error("definition", "at most " + MAX_SEGMENT_KEYS + " included and excluded keys together; use rules");
        }
        keys("definition.included", segment.included());
        keys("definition.excluded", segment.excluded());
        if (segment.rules().size() > MAX_RULES) {
            error("definition.rules", "at most " + MAX_RULES + " rules");
        }
        for (int i = 0; i < segment.rules().size(); i++) {
            Rule rule = segment.rules().get(i);
            String path = "definition.rules[" + i + "]";
            if (rule.clauses().isEmpty() || rule.clauses().size() > MAX_CLAUSES) {
                error(path + ".clauses", "a rule needs 1 to " + MAX_CLAUSES + " clauses");
            }
            for (int j = 0; j < rule.clauses().size() && j < MAX_CLAUSES; j++) {
                clause(path + ".clauses[" + j + "]", rule.clauses().get(j));
            }
        }
    }

    private void keys(String path, java.util.Collection<String> values) {
        if (values.stream().anyMatch(v -> v == null || v.isEmpty() || v.length() > MAX_TEXT)) {
            error(path, "each key must be 1 to " + MAX_TEXT + " characters");
        }
    }

    private void check(EnvironmentConfig config) {
        variation("offVariation", config.offVariation());
        serve("fallthrough", config.fallthrough());
        int targetValues = 0;
        for (int i = 0; i < config.targets().size(); i++) {
            Target target = config.targets().get(i);
            variation("targets[" + i + "].variation", target.variation());
            targetValues += target.values().size();
            keys("targets[" + i + "].values", target.values());
        }
        if (targetValues > MAX_TARGET_VALUES) {
            error("targets", "at most " + MAX_TARGET_VALUES + " individual targets; use a segment");
        }
        if (config.rules().size() > MAX_RULES) {
            error("rules", "at most " + MAX_RULES + " rules");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < config.rules().size(); i++) {
            rule("rules[" + i + "]", config.rules().get(i), ids);
        }
    }

    private void rule(String path, Rule rule, Set<String> ids) {
        if (rule.id() == null || !rule.id().matches("^[A-Za-z0-9._-]{1,64}$")) {
            error(path + ".id", "required: 1 to 64 letters, digits, '.', '_' or '-'");
        } else if (!ids.add(rule.id())) {
            error(path + ".id", "duplicate rule id '" + rule.id() + "'");
        }
        if (rule.clauses().isEmpty() || rule.clauses().size() > MAX_CLAUSES) {
            error(path + ".clauses", "a rule needs 1 to " + MAX_CLAUSES + " clauses");
        }
        for (int i = 0; i < rule.clauses().size(); i++) {
            clause(path + ".clauses[" + i + "]", rule.clauses().get(i));
        }
        serve(path + ".serve", rule.serve());
    }

    private void clause(String path, Clause clause) {
        if (clause.operator() == null) {
            error(path + ".operator", "required");
            return;
        }
        if (clause.operator() != Operator.SEGMENT_MATCH
                && (clause.attribute() == null || clause.attribute().isBlank() || clause.attribute().length() > MAX_TEXT)) {
            error(path + ".attribute", "required, at most " + MAX_TEXT + " characters");
        }
        if (clause.values().isEmpty() || clause.values().size() > MAX_VALUES) {
            error(path + ".values", "1 to " + MAX_VALUES + " values");
            return;
        }
        for (JsonNode value : clause.values()) {
            String problem = valueProblem(clause.operator(), value);
            if (problem != null) {
                error(path + ".values", problem);
                return;
            }
        }
    }

    private static String valueProblem(Operator operator, JsonNode value) {
        if (value == null || value.isContainerNode() || value.isNull()) {
            return "values must be strings, numbers or booleans";
        }
        String text = Evaluator.text(value);
        return switch (operator) {
            case MATCHES -> {
                try {
                    BoundedRegex.compile(text);
                    yield null;
                } catch (IllegalArgumentException e) {
                    yield e.getMessage();
                }
            }
            case LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL ->
                    value.isNumber() ? null : "numeric comparisons need numbers";
            case SEMVER_EQUAL, SEMVER_LESS_THAN, SEMVER_GREATER_THAN ->
                    Semver.parse(text) != null ? null : "'" + text + "' is not a semantic version";
            case SEGMENT_MATCH -> value.isTextual() ? null : "segment keys are strings";
            default -> text.length() <= MAX_TEXT ? null : "values are at most " + MAX_TEXT + " characters";
        };
    }

    private void serve(String path, Serve serve) {
        if (serve == null || (serve.variation() == null) == (serve.rollout() == null)) {
            error(path, "give exactly one of variation or rollout");
            return;
        }
        if (serve.variation() != null) {
            variation(path + ".variation", serve.variation());
            return;
        }
        List<WeightedVariation> shares = serve.rollout().variations();
        if (shares == null || shares.isEmpty()) {
            error(path + ".rollout.variations", "a rollout needs at least one variation");
            return;
        }
        long total = 0;
        for (int i = 0; i < shares.size(); i++) {
            variation(path + ".rollout.variations[" + i + "].variation", shares.get(i).variation());
            if (shares.get(i).weight() < 0) {
                error(path + ".rollout.variations[" + i + "].weight", "must not be negative");
            }
            total += shares.get(i).weight();
        }
        if (total != FlagModel.Rollout.TOTAL_WEIGHT) {
            error(path + ".rollout.variations", "weights must add up to " + FlagModel.Rollout.TOTAL_WEIGHT
                    + " (thousandths of a percent), not " + total);
        }
        String bucketBy = serve.rollout().bucketBy();
        if (bucketBy != null && (bucketBy.isBlank() || bucketBy.length() > MAX_TEXT)) {
            error(path + ".rollout.bucketBy", "an attribute name of at most " + MAX_TEXT + " characters");
        }
    }

    private void variation(String path, String name) {
        if (name == null || flag.variation(name) == null) {
            error(path, "must name one of the flag's variations " + flag.variations().stream().map(FlagModel.Variation::name).toList());
        }
    }

    private void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }
}
