package io.flagledger.flagapi.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.flagledger.flagapi.evaluation.Evaluation.ErrorCode;
import io.flagledger.flagapi.evaluation.Evaluation.Reason;
import io.flagledger.flagapi.evaluation.FlagModel.Clause;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Operator;
import io.flagledger.flagapi.evaluation.FlagModel.Rollout;
import io.flagledger.flagapi.evaluation.FlagModel.Rule;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.Target;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EvaluatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FlagDefinition FLAG = new FlagDefinition("new-checkout", FlagType.BOOLEAN,
            List.of(new Variation("on", BooleanNode.TRUE), new Variation("off", BooleanNode.FALSE)), "s4lt");
    private static final Segment BETA = new Segment("beta", Set.of("u-beta"), Set.of("u-banned"),
            List.of(new Rule("beta-domain", List.of(clause("email", Operator.ENDS_WITH, "@beta.example")), Serve.of("on"))));
    private static final Evaluator EVALUATOR = new Evaluator(Map.of("beta", BETA)::get);

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, config, context, expected variation, expected reason, expected rule
                Arguments.of("off serves the off variation", off(), "{\"targetingKey\":\"u1\"}", "off", Reason.DISABLED, null),
                Arguments.of("no targeting is static", config(List.of(), List.of()), "{\"targetingKey\":\"u1\"}", "on", Reason.STATIC, null),
                Arguments.of("individual target wins", config(List.of(new Target("off", Set.of("u7"))), List.of(rule(clause("country", Operator.IN, "NL")))),
                        "{\"targetingKey\":\"u7\",\"country\":\"NL\"}", "off", Reason.TARGETING_MATCH, null),
                Arguments.of("in", rules(rule(clause("country", Operator.IN, "NL", "BE"))), "{\"targetingKey\":\"u\",\"country\":\"BE\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("in misses falls through", rules(rule(clause("country", Operator.IN, "NL"))), "{\"targetingKey\":\"u\",\"country\":\"DE\"}", "on", Reason.DEFAULT, null),
                Arguments.of("notIn", rules(rule(clause("country", Operator.NOT_IN, "NL"))), "{\"targetingKey\":\"u\",\"country\":\"DE\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("missing attribute never matches", rules(rule(clause("country", Operator.NOT_IN, "NL"))), "{\"targetingKey\":\"u\"}", "on", Reason.DEFAULT, null),
                Arguments.of("negated clause", rules(rule(new Clause("country", Operator.IN, List.of(TextNode.valueOf("NL")), true))), "{\"targetingKey\":\"u\",\"country\":\"DE\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("startsWith", rules(rule(clause("email", Operator.STARTS_WITH, "admin@"))), "{\"email\":\"admin@x.io\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("endsWith", rules(rule(clause("email", Operator.ENDS_WITH, "@x.io"))), "{\"email\":\"bob@x.io\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("contains", rules(rule(clause("email", Operator.CONTAINS, "qa"))), "{\"email\":\"qa-team@x.io\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("matches", rules(rule(clause("plan", Operator.MATCHES, "^(gold|platinum)$"))), "{\"plan\":\"gold\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("catastrophic regex is bounded, not hung", rules(rule(clause("s", Operator.MATCHES, "^(a+)+$"))), "{\"s\":\"" + "a".repeat(40) + "!\"}", "on", Reason.DEFAULT, null),
                Arguments.of("lessThan numeric", rules(rule(clause("age", Operator.LESS_THAN, 18))), "{\"age\":17.5}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("greaterThanOrEqual on numeric text", rules(rule(clause("age", Operator.GREATER_THAN_OR_EQUAL, 18))), "{\"age\":\"18\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("semver greater than pre-release", rules(rule(clause("appVersion", Operator.SEMVER_GREATER_THAN, "2.0.0-rc.1"))), "{\"appVersion\":\"2.0.0\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("semver numeric identifiers", rules(rule(clause("appVersion", Operator.SEMVER_LESS_THAN, "1.10.0"))), "{\"appVersion\":\"1.9.3\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("semver equal ignores build", rules(rule(clause("appVersion", Operator.SEMVER_EQUAL, "1.2.3"))), "{\"appVersion\":\"1.2.3+build.7\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("multi-valued attribute", rules(rule(clause("groups", Operator.IN, "admins"))), "{\"groups\":[\"devs\",\"admins\"]}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("nested attribute by pointer", rules(rule(clause("/address/country", Operator.IN, "NL"))), "{\"address\":{\"country\":\"NL\"}}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("all clauses must match", rules(rule(clause("country", Operator.IN, "NL"), clause("plan", Operator.IN, "gold"))), "{\"country\":\"NL\",\"plan\":\"free\"}", "on", Reason.DEFAULT, null),
                Arguments.of("segment include list", rules(rule(clause("", Operator.SEGMENT_MATCH, "beta"))), "{\"targetingKey\":\"u-beta\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("segment rule", rules(rule(clause("", Operator.SEGMENT_MATCH, "beta"))), "{\"targetingKey\":\"x\",\"email\":\"a@beta.example\"}", "off", Reason.TARGETING_MATCH, "r1"),
                Arguments.of("segment exclusion beats rule", rules(rule(clause("", Operator.SEGMENT_MATCH, "beta"))), "{\"targetingKey\":\"u-banned\",\"email\":\"a@beta.example\"}", "on", Reason.DEFAULT, null),
                Arguments.of("unknown segment never matches", rules(rule(clause("", Operator.SEGMENT_MATCH, "nope"))), "{\"targetingKey\":\"u-beta\"}", "on", Reason.DEFAULT, null),
                Arguments.of("rollout on fallthrough is a split", new EnvironmentConfig(true, "off", List.of(), List.of(), Serve.split(half())), "{\"targetingKey\":\"u1\"}", null, Reason.SPLIT, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluates(String name, EnvironmentConfig config, String context, String variation, Reason reason, String ruleId) throws Exception {
        Evaluation result = EVALUATOR.evaluate(FLAG, config, JSON.readTree(context));
        assertThat(result.errorCode()).isNull();
        assertThat(result.reason()).isEqualTo(reason);
        if (variation != null) {
            assertThat(result.variation()).isEqualTo(variation);
        }
        assertThat(result.ruleId()).isEqualTo(ruleId);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(new EnvironmentConfig(true, "off", List.of(), List.of(), Serve.split(half())), "{}", ErrorCode.TARGETING_KEY_MISSING),
                Arguments.of(new EnvironmentConfig(true, "off", List.of(), List.of(), Serve.split(new Rollout("tenant", half().variations()))), "{\"targetingKey\":\"u\"}", ErrorCode.INVALID_CONTEXT),
                Arguments.of(config(List.of(), List.of()), "[1,2]", ErrorCode.INVALID_CONTEXT),
                Arguments.of(new EnvironmentConfig(true, "off", List.of(), List.of(), Serve.of("ghost")), "{}", ErrorCode.GENERAL));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void reportsErrors(EnvironmentConfig config, String context, ErrorCode expected) throws Exception {
        Evaluation result = EVALUATOR.evaluate(FLAG, config, JSON.readTree(context));
        assertThat(result.reason()).isEqualTo(Reason.ERROR);
        assertThat(result.errorCode()).isEqualTo(expected);
        assertThat(result.errorDetails()).isNotBlank();
    }

    static Rollout half() {
        return new Rollout(null, List.of(new WeightedVariation("on", 50_000), new WeightedVariation("off", 50_000)));
    }

    private static EnvironmentConfig off() {
        return new EnvironmentConfig(false, "off", List.of(), List.of(), Serve.of("on"));
    }

    private static EnvironmentConfig config(List<Target> targets, List<Rule> rules) {
        return new EnvironmentConfig(true, "off", targets, rules, Serve.of("on"));
    }

    private static EnvironmentConfig rules(Rule rule) {
        return config(List.of(), List.of(rule));
    }

    private static Rule rule(Clause... clauses) {
        return new Rule("r1", List.of(clauses), Serve.of("off"));
    }

    private static Clause clause(String attribute, Operator operator, Object... values) {
        List<JsonNode> nodes = Stream.of(values).map(v -> (JsonNode) JSON.valueToTree(v)).toList();
        return new Clause(attribute, operator, nodes, false);
    }
}
