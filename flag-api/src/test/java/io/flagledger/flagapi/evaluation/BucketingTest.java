package io.flagledger.flagapi.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Rollout;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class BucketingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Pinned against an independent computation (Python: int(sha1(s).hexdigest()[:15], 16) / 0xFFFFFFFFFFFFFFF * 100000):
     * if these change, every customer's rollout audience silently changes.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"new-checkout,s4lt,user-1,87005", "flag,salt,a,78696", "flag,salt,b,24980", "flag,other,a,42175"})
    void bucketsAreStableAcrossVersionsAndReplicas(String flag, String salt, String value, int expected) {
        assertThat(Bucketing.bucket(flag, salt, value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 33, 50, 99})
    void percentagesLandWithinOnePointOverAHundredThousandKeys(int percent) {
        FlagDefinition flag = new FlagDefinition("rollout-" + percent, FlagType.STRING,
                List.of(new Variation("a", TextNode.valueOf("a")), new Variation("b", TextNode.valueOf("b"))), "salt-" + percent);
        Rollout rollout = new Rollout(null, List.of(new WeightedVariation("a", percent * 1000),
                new WeightedVariation("b", Rollout.TOTAL_WEIGHT - percent * 1000)));
        EnvironmentConfig config = new EnvironmentConfig(true, "b", List.of(), List.of(), Serve.split(rollout));
        Evaluator evaluator = new Evaluator(key -> null);
        Map<String, Integer> counts = new HashMap<>();
        int keys = 100_000;
        for (int i = 0; i < keys; i++) {
            ObjectNode context = JSON.createObjectNode().put("targetingKey", "user-" + i);
            counts.merge(evaluator.evaluate(flag, config, context).variation(), 1, Integer::sum);
        }
        assertThat(100.0 * counts.getOrDefault("a", 0) / keys).isCloseTo(percent, within(1.0));
    }

    @Test
    void raisingAPercentageOnlyAddsUsers() {
        FlagDefinition flag = new FlagDefinition("grow", FlagType.BOOLEAN,
                List.of(new Variation("on", TextNode.valueOf("on")), new Variation("off", TextNode.valueOf("off"))), "s");
        Evaluator evaluator = new Evaluator(key -> null);
        for (int i = 0; i < 10_000; i++) {
            ObjectNode context = JSON.createObjectNode().put("targetingKey", "u" + i);
            boolean inAtTen = "on".equals(evaluator.evaluate(flag, split(10), context).variation());
            boolean inAtFifty = "on".equals(evaluator.evaluate(flag, split(50), context).variation());
            assertThat(!inAtTen || inAtFifty).as("u" + i + " was in at 10% but out at 50%").isTrue();
        }
    }

    private static EnvironmentConfig split(int percentOn) {
        return new EnvironmentConfig(true, "off", List.of(), List.of(), Serve.split(new Rollout(null, List.of(
                new WeightedVariation("on", percentOn * 1000), new WeightedVariation("off", Rollout.TOTAL_WEIGHT - percentOn * 1000)))));
    }
}
