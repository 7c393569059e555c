package io.flagledger.contract.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SegmentDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void membersAreComparedAsSetsAndRulesById() throws Exception {
        var before = JSON.readTree("""
                {"key":"beta","included":["u1","u2"],"excluded":[],"rules":[{"id":"staff","clauses":[{"attribute":"email","operator":"endsWith","values":["@example.com"]}]}]}""");
        var after = JSON.readTree("""
                {"included":["u3","u2"],"excluded":["u9"],"rules":[{"id":"staff","clauses":[{"attribute":"email","operator":"endsWith","values":["@example.org"]}]}]}""");
        assertThat(SegmentDiff.between(before, after)).containsExactly(
                new ConfigDiff.Line("included[u1]", "\"u1\"", null),
                new ConfigDiff.Line("included[u3]", null, "\"u3\""),
                new ConfigDiff.Line("excluded[u9]", null, "\"u9\""),
                new ConfigDiff.Line("rules[staff].clauses[email].values[0]", "\"@example.com\"", "\"@example.org\""));
        // order of members and the echoed key are no change
        assertThat(SegmentDiff.same(JSON.readTree("{\"key\":\"beta\",\"included\":[\"a\",\"b\"]}"),
                JSON.readTree("{\"included\":[\"b\",\"a\"],\"rules\":[]}"))).isTrue();
    }

    @Test
    void whatFlagApiEchoesBackIsTheSameAsWhatWasProposed() throws Exception {
        var proposed = JSON.readTree("""
                {"included":["u1"],"rules":[{"id":"staff","clauses":[{"attribute":"email","operator":"endsWith","values":["@x.org"]}]}]}""");
        var echoed = JSON.readTree("""
                {"key":"beta","included":["u1"],"excluded":[],"rules":[{"id":"staff","clauses":[{"attribute":"email","operator":"endsWith","values":["@x.org"],"negate":false}],"serve":null}]}""");
        assertThat(SegmentDiff.same(echoed, proposed)).isTrue();
        var negated = echoed.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) negated.at("/rules/0/clauses/0")).put("negate", true);
        assertThat(SegmentDiff.between(echoed, negated)).extracting(ConfigDiff.Line::path)
                .containsExactly("rules[staff].clauses[email].negate");
    }

    @Test
    void aNewSegmentShowsItsMembersAndRules() throws Exception {
        var after = JSON.readTree("{\"included\":[\"u1\"],\"rules\":[{\"id\":\"r\"}]}");
        assertThat(SegmentDiff.between(JSON.createObjectNode(), after)).extracting(ConfigDiff.Line::path)
                .containsExactly("included[u1]", "rules");
    }
}
