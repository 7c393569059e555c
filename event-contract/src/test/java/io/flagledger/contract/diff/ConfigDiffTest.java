package io.flagledger.contract.diff;

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
        assertThat(ConfigDiff.same(a, b)).isFalse();
    }

    /** Issue #12's example: "everyone -> on" moved above "sanctioned -> off" while one country is added. */
    @Test
    void aReorderingShowsEvenWhenARuleAlsoChanges() throws Exception {
        var before = JSON.readTree("""
                {"enabled":true,"offVariation":"off","rules":[
                  {"id":"sanctioned","clauses":[{"attribute":"country","operator":"in","values":["IR","KP"]}],"serve":{"variation":"off"}},
                  {"id":"everyone","clauses":[{"attribute":"key","operator":"exists","values":[]}],"serve":{"variation":"on"}}],
                 "fallthrough":{"variation":"off"}}""");
        var after = JSON.readTree("""
                {"enabled":true,"offVariation":"off","rules":[
                  {"id":"everyone","clauses":[{"attribute":"key","operator":"exists","values":[]}],"serve":{"variation":"on"}},
                  {"id":"sanctioned","clauses":[{"attribute":"country","operator":"in","values":["IR","KP","CU"]}],"serve":{"variation":"off"}}],
                 "fallthrough":{"variation":"off"}}""");
        assertThat(ConfigDiff.between(before, after)).containsExactly(
                new ConfigDiff.Line("rules[sanctioned].clauses[country].values[2]", null, "\"CU\""),
                new ConfigDiff.Line("rules (order)", "[\"sanctioned\",\"everyone\"]", "[\"everyone\",\"sanctioned\"]"));
        assertThat(RuleOrder.of(after)).extracting(RuleOrder.Step::id).containsExactly("everyone", "sanctioned", null);
        assertThat(RuleOrder.of(after).get(1).when()).isEqualTo("country in [\"IR\",\"KP\",\"CU\"]");
        assertThat(RuleOrder.of(after).get(1).serve()).isEqualTo("off");
    }

    @Test
    void rolloutVariationOrderIsAChangeEvenWithNewWeights() throws Exception {
        var before = JSON.readTree("""
                {"fallthrough":{"rollout":{"variations":[{"variation":"on","weight":10000},{"variation":"off","weight":90000}]}}}""");
        var after = JSON.readTree("""
                {"fallthrough":{"rollout":{"variations":[{"variation":"off","weight":87500},{"variation":"on","weight":12500}]}}}""");
        assertThat(ConfigDiff.between(before, after)).containsExactly(
                new ConfigDiff.Line("fallthrough.rollout.variations[on].weight", "10000", "12500"),
                new ConfigDiff.Line("fallthrough.rollout.variations[off].weight", "90000", "87500"),
                new ConfigDiff.Line("fallthrough.rollout.variations (order)", "[\"on\",\"off\"]", "[\"off\",\"on\"]"));
        assertThat(RuleOrder.of(after)).singleElement().extracting(RuleOrder.Step::serve).isEqualTo("off 87.5%, on 12.5%");
    }

    @Test
    void aRuleInsertedAboveOthersShowsWhereItLandsButAnAppendedOrRemovedOneNeedsNoOrderLine() throws Exception {
        var ab = JSON.readTree("{\"rules\":[{\"id\":\"a\",\"serve\":{\"variation\":\"on\"}},{\"id\":\"b\",\"serve\":{\"variation\":\"off\"}}]}");
        var nab = JSON.readTree("{\"rules\":[{\"id\":\"n\",\"serve\":{\"variation\":\"off\"}},{\"id\":\"a\",\"serve\":{\"variation\":\"on\"}},"
                + "{\"id\":\"b\",\"serve\":{\"variation\":\"off\"}}]}");
        var abn = JSON.readTree("{\"rules\":[{\"id\":\"a\",\"serve\":{\"variation\":\"on\"}},{\"id\":\"b\",\"serve\":{\"variation\":\"off\"}},"
                + "{\"id\":\"n\",\"serve\":{\"variation\":\"off\"}}]}");
        var b = JSON.readTree("{\"rules\":[{\"id\":\"b\",\"serve\":{\"variation\":\"off\"}}]}");
        assertThat(ConfigDiff.between(ab, nab)).extracting(ConfigDiff.Line::path).containsExactly("rules[n]", "rules (order)");
        assertThat(ConfigDiff.between(ab, abn)).extracting(ConfigDiff.Line::path).containsExactly("rules[n]");
        assertThat(ConfigDiff.between(ab, b)).extracting(ConfigDiff.Line::path).containsExactly("rules[a]");
    }
}
