package io.flagledger.cli.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.diff.ConfigDiff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanTest {

    private static Live live(int stagingPercentOn) throws Exception {
        return new Live(Map.of("checkout", Samples.view(3, stagingPercentOn)), Map.of(), Set.of("production"));
    }

    @Test
    void anEditedRolloutIsExactlyOneChangeReadInPercent() throws Exception {
        FlagFiles.Project files = live(10).asFiles();
        ObjectNode staging = (ObjectNode) files.flags().get("checkout").at("/environments/staging");
        ((ObjectNode) staging.at("/fallthrough/rollout/variations/0")).put("weight", 50_000);
        ((ObjectNode) staging.at("/fallthrough/rollout/variations/1")).put("weight", 50_000);

        List<Plan.Change> plan = Plan.between(files, live(10));
        assertThat(plan).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Plan.Kind.ENVIRONMENT);
            assertThat(c.environment()).isEqualTo("staging");
            assertThat(c.route()).isEqualTo(Plan.Route.DIRECT);
            assertThat(c.baseVersion()).isEqualTo(3);
            assertThat(c.lines()).containsExactly(
                    new ConfigDiff.Line("fallthrough.rollout.variations[on].weight", "10000", "50000"),
                    new ConfigDiff.Line("fallthrough.rollout.variations[off].weight", "90000", "50000"));
            assertThat(c.rulesAfter()).last().extracting(s -> s.serve()).isEqualTo("on 50%, off 50%");
        });
        StringWriter text = new StringWriter();
        PlanPrinter.text(new PrintWriter(text), plan, Map.of());
        assertThat(text.toString()).contains("~ flag checkout [staging] — direct, If-Match 3",
                "fallthrough.rollout.variations[on].weight: 10000 -> 50000", "2. everyone else -> on 10%, off 90%",
                "2. everyone else -> on 50%, off 50%", "1 change to apply.");
    }

    @Test
    void aProtectedEnvironmentIsAChangeRequestAndAReorderIsAChange() throws Exception {
        FlagFiles.Project files = live(10).asFiles();
        ObjectNode production = (ObjectNode) files.flags().get("checkout").at("/environments/production");
        production.put("enabled", true);
        List<Plan.Change> plan = Plan.between(files, live(10));
        assertThat(plan).singleElement().satisfies(c -> {
            assertThat(c.route()).isEqualTo(Plan.Route.CHANGE_REQUEST);
            assertThat(c.baseVersion()).isEqualTo(4);
            assertThat(c.lines()).containsExactly(new ConfigDiff.Line("enabled", "false", "true"));
        });
    }

    @Test
    void liveStateOutsideGitAndMetadataAreFindings() throws Exception {
        FlagFiles.Project files = live(10).asFiles();
        ((ObjectNode) files.flags().get("checkout")).put("owner", "team-checkout");
        var other = new FlagFiles.Project(Map.of("checkout", files.flags().get("checkout")), Map.of());
        var liveWithExtra = new Live(Map.of("checkout", Samples.view(3, 10), "extra", Samples.view(0, 0)), Map.of(), Set.of());
        List<Plan.Change> plan = Plan.between(other, liveWithExtra);
        assertThat(plan).extracting(Plan.Change::kind).containsExactly(Plan.Kind.METADATA, Plan.Kind.NOT_IN_GIT);
        assertThat(plan.get(0).lines()).containsExactly(new ConfigDiff.Line("owner", "\"team-pay\"", "\"team-checkout\""));
        assertThat(PlanCommand.hasDrift(plan)).isTrue();
        assertThat(PlanCommand.hasDrift(Plan.between(live(10).asFiles(), live(10)))).isFalse();
    }
}
