package io.flagledger.flagapi.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.Rollout;
import io.flagledger.flagapi.evaluation.FlagModel.Rule;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared {@link ConfigDiff#scope} on flag-api's own codec output (what FlagChanges records in the event). */
class ConfigDiffTest {

    @Test
    void scopeNamesWhatAChangeTouched() {
        Rule kept = new Rule("kept", List.of(), Serve.of("on"));
        Rule dropped = new Rule("dropped", List.of(), Serve.of("on"));
        EnvironmentConfig before = new EnvironmentConfig(true, "off", List.of(), List.of(kept, dropped), Serve.split(split(1)));
        EnvironmentConfig after = new EnvironmentConfig(true, "off", List.of(), List.of(new Rule("kept", List.of(), Serve.of("off")),
                new Rule("added", List.of(), Serve.of("on"))), Serve.split(split(100)));
        ObjectNode scope = ConfigDiff.scope(FlagCodec.tree(before), FlagCodec.tree(after));
        assertThat(scope.get("changed").toString()).isEqualTo("[\"fallthrough\",\"rules\"]");
        assertThat(scope.at("/rules/added/0").asText()).isEqualTo("added");
        assertThat(scope.at("/rules/removed/0").asText()).isEqualTo("dropped");
        assertThat(scope.at("/rules/modified/0").asText()).isEqualTo("kept");
        assertThat(scope.at("/fallthrough/before/rollout/variations/0/weight").asInt()).isEqualTo(1000);
        assertThat(scope.at("/fallthrough/after/rollout/variations/0/weight").asInt()).isEqualTo(100_000);
        assertThat(ConfigDiff.scope(FlagCodec.tree(before), FlagCodec.tree(before)).get("changed")).isEmpty();
    }

    private static Rollout split(int percentOn) {
        return new Rollout(null, List.of(new WeightedVariation("on", percentOn * 1000),
                new WeightedVariation("off", 100_000 - percentOn * 1000)));
    }
}
