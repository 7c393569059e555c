package io.flagledger.cli.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CorrelationTest {

    @Test
    void eachCiSystemNamesItsRun() {
        assertThat(Correlation.fromEnvironment(Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/flags",
                "GITHUB_RUN_ID", "991", "GITHUB_RUN_ATTEMPT", "2", "GITHUB_SERVER_URL", "https://github.com"))).hasValue(
                new Correlation("gha-acme/flags-991-2", "GitHub Actions", "https://github.com/acme/flags/actions/runs/991"));
        assertThat(Correlation.fromEnvironment(Map.of("GITLAB_CI", "true", "CI_PROJECT_PATH", "acme/flags",
                "CI_PIPELINE_ID", "77", "CI_PIPELINE_URL", "https://gitlab.example/acme/flags/-/pipelines/77")))
                .get().extracting(Correlation::id).isEqualTo("gitlab-acme/flags-77");
        assertThat(Correlation.fromEnvironment(Map.of("JENKINS_URL", "https://ci/", "BUILD_TAG", "jenkins-flags-12",
                "BUILD_URL", "https://ci/job/flags/12/"))).get().extracting(Correlation::id).isEqualTo("jenkins-jenkins-flags-12");
        assertThat(Correlation.fromEnvironment(Map.of("BUILDKITE", "true", "BUILDKITE_PIPELINE_SLUG", "flags",
                "BUILDKITE_BUILD_NUMBER", "5"))).get().extracting(Correlation::system).isEqualTo("Buildkite");
        assertThat(Correlation.fromEnvironment(Map.of("HOME", "/root"))).isEmpty();
        // a half-set CI environment (no run id) is not taken for a run
        assertThat(Correlation.fromEnvironment(Map.of("GITHUB_ACTIONS", "true"))).isEmpty();
    }

    @Test
    void anIdIsWhatFlagApiAccepts() {
        assertThat(Correlation.clean("a b\tc")).isEqualTo("a_b_c");
        assertThat(Correlation.clean("x".repeat(300))).hasSize(256);
    }
}
