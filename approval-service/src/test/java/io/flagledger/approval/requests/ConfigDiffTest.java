package io.flagledger.approval.requests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void namesRulesAndVariationsByIdAndIgnoresOmittedDefaults() throws Exception {
        var before = JSON.readTree("""
                {"enabled":false,"offVariation":"off","targets":[],"rules":[{"id":"nl","clauses":[{"attribute":"country","operator":"in","values":["NL"]}],"serve":{"variation":"on"}}],
                 "fallthrough":{"rollout":{"variations":[{"variation":"on","weight":10000},{"variation":"off","weight":90000}]}}}""");
        var after = JSON.readTree("""
                {"enabled":true,"offVariation":"off","rules":[{"id":"nl","clauses":[{"attribute":"country","operator":"in","values":["NL","BE"]}],"serve":{"variation":"on"}}],
                 "fallthrough":{"rollout":{"variations":[{"variation":"on","weight":50000},{"variation":"off","weight":50000}]}}}""");
        assertThat(ConfigDiff.between(before, after)).containsExactly(
                new ConfigDiff.Line("enabled", "false", "true"),
                new ConfigDiff.Line("rules[nl].clauses[country].values[1]", null, "\"BE\""),
                new ConfigDiff.Line("fallthrough.rollout.variations[on].weight", "10000", "50000"),
                new ConfigDiff.Line("fallthrough.rollout.variations[off].weight", "90000", "50000"));
        assertThat(ConfigDiff.same(before, before.deepCopy())).isTrue();
        assertThat(ConfigDiff.same(JSON.readTree("{\"enabled\":true,\"targets\":[],\"rules\":null}"),
                JSON.readTree("{\"enabled\":true}"))).isTrue();
    }

    @Test
    void reorderedRulesAreAChange() throws Exception {
        var a = JSON.readTree("{\"rules\":[{\"id\":\"a\"},{\"id\":\"b\"}]}");
        var b = JSON.readTree("{\"rules\":[{\"id\":\"b\"},{\"id\":\"a\"}]}");
        assertThat(ConfigDiff.between(a, b)).extracting(ConfigDiff.Line::path).isEqualTo(List.of("rules (order)"));
    }
}
