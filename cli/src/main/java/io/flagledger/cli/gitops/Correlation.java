package io.flagledger.cli.gitops;

import java.util.Map;
import java.util.Optional;

/**
 * The correlation id of a pipeline run, from the CI system's own variables, so every change a run makes (and every
 * change request it files) is found in the ledger by the run that made it. {@code url} links the run for reasons.
 */
public record Correlation(String id, String system, String url) {

    public static Optional<Correlation> fromEnvironment(Map<String, String> env) {
        if ("true".equals(env.get("GITHUB_ACTIONS")) && has(env, "GITHUB_RUN_ID")) {
            String repo = env.getOrDefault("GITHUB_REPOSITORY", "");
            String attempt = env.getOrDefault("GITHUB_RUN_ATTEMPT", "1");
            return Optional.of(new Correlation(clean("gha-" + repo + "-" + env.get("GITHUB_RUN_ID") + "-" + attempt), "GitHub Actions",
                    env.getOrDefault("GITHUB_SERVER_URL", "https://github.com") + "/" + repo + "/actions/runs/" + env.get("GITHUB_RUN_ID")));
        }
        if ("true".equals(env.get("GITLAB_CI")) && has(env, "CI_PIPELINE_ID")) {
            return Optional.of(new Correlation(clean("gitlab-" + env.getOrDefault("CI_PROJECT_PATH", "") + "-" + env.get("CI_PIPELINE_ID")),
                    "GitLab CI", env.get("CI_PIPELINE_URL")));
        }
        if ("true".equals(env.get("BUILDKITE")) && has(env, "BUILDKITE_BUILD_NUMBER")) {
            return Optional.of(new Correlation(clean("buildkite-" + env.getOrDefault("BUILDKITE_PIPELINE_SLUG", "") + "-"
                    + env.get("BUILDKITE_BUILD_NUMBER")), "Buildkite", env.get("BUILDKITE_BUILD_URL")));
        }
        if (has(env, "JENKINS_URL") && has(env, "BUILD_TAG")) {
            return Optional.of(new Correlation(clean("jenkins-" + env.get("BUILD_TAG")), "Jenkins", env.get("BUILD_URL")));
        }
        return Optional.empty();
    }

    private static boolean has(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    /** flag-api takes printable ASCII without spaces, at most 256 characters. */
    static String clean(String id) {
        String s = id.replaceAll("[^\\x21-\\x7e]", "_");
        return s.length() > 256 ? s.substring(0, 256) : s;
    }
}
