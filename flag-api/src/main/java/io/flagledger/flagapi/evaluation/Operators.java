package io.flagledger.flagapi.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.BiPredicate;

/** Clause operators other than segment membership. A missing attribute never matches (before negation). */
final class Operators {

    private Operators() {
    }

    static boolean test(FlagModel.Operator operator, JsonNode attribute, List<JsonNode> values) {
        if (attribute == null) {
            return false;
        }
        if (attribute.isArray()) {
            // A multi-valued attribute (e.g. groups) matches if any element does.
            for (JsonNode element : attribute) {
                if (test(operator, element, values)) {
                    return true;
                }
            }
            return false;
        }
        return switch (operator) {
            case IN -> anyText(attribute, values, String::equals);
            case NOT_IN -> !anyText(attribute, values, String::equals);
            case STARTS_WITH -> anyText(attribute, values, String::startsWith);
            case ENDS_WITH -> anyText(attribute, values, String::endsWith);
            case CONTAINS -> anyText(attribute, values, String::contains);
            case MATCHES -> anyText(attribute, values, (input, regex) -> BoundedRegex.find(regex, input));
            case LESS_THAN -> anyNumber(attribute, values, c -> c < 0);
            case LESS_THAN_OR_EQUAL -> anyNumber(attribute, values, c -> c <= 0);
            case GREATER_THAN -> anyNumber(attribute, values, c -> c > 0);
            case GREATER_THAN_OR_EQUAL -> anyNumber(attribute, values, c -> c >= 0);
            case SEMVER_EQUAL -> anySemver(attribute, values, c -> c == 0);
            case SEMVER_LESS_THAN -> anySemver(attribute, values, c -> c < 0);
            case SEMVER_GREATER_THAN -> anySemver(attribute, values, c -> c > 0);
            case SEGMENT_MATCH -> throw new IllegalArgumentException("segment membership is decided by the evaluator");
        };
    }

    private static boolean anyText(JsonNode attribute, List<JsonNode> values, BiPredicate<String, String> test) {
        String actual = Evaluator.text(attribute);
        return actual != null && values.stream().map(Evaluator::text).anyMatch(v -> v != null && test.test(actual, v));
    }

    private static boolean anyNumber(JsonNode attribute, List<JsonNode> values, java.util.function.IntPredicate accept) {
        BigDecimal actual = number(attribute);
        return actual != null && values.stream().map(Operators::number)
                .anyMatch(v -> v != null && accept.test(actual.compareTo(v)));
    }

    private static boolean anySemver(JsonNode attribute, List<JsonNode> values, java.util.function.IntPredicate accept) {
        Semver actual = Semver.parse(Evaluator.text(attribute));
        return actual != null && values.stream().map(v -> Semver.parse(Evaluator.text(v)))
                .anyMatch(v -> v != null && accept.test(actual.compareTo(v)));
    }

    private static BigDecimal number(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        try {
            return node.isTextual() && node.asText().length() <= 64 ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
