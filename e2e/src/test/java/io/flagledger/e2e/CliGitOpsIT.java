package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.http.ContentType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Flags as code through the flagledger CLI's real command line (its runnable jar) against the real stack: export,
 * edit one file, plan shows exactly that edit, apply writes staging directly and files a production change request
 * carrying the CI run's correlation id, two approvers approve, drift detection is clean, and a change made outside
 * Git makes it exit 1 naming who made it.
 */
class CliGitOpsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    @Test
    void exportEditPlanApplyApproveAndDetectDrift() throws Exception {
        Stack stack = ApprovalStack.get();
        String project = "gitops-" + UUID.randomUUID().toString().substring(0, 8);
        String flag = "checkout";
        String requester = stack.token("requester");
        given().baseUri(stack.url("flag-api")).auth().oauth2(requester).contentType(ContentType.JSON)
                .body(Map.of("key", flag, "name", "New checkout")).post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
        given().baseUri(stack.url("flag-api")).auth().oauth2(requester).contentType(ContentType.JSON).header("If-Match", "\"0\"")
                .body(Map.of("config", Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("rollout", Map.of("variations",
                        List.of(Map.of("variation", "on", "weight", 10000), Map.of("variation", "off", "weight", 90000))))),
                        "reason", "canary"))
                .put("/api/v1/projects/{p}/flags/{f}/environments/staging", project, flag).then().statusCode(200);

        Path dir = Files.createTempDirectory("flags-git");
        Run export = cli(stack, requester, Map.of(), "export", "-p", project, "-d", dir.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        Path file = dir.resolve("flags/" + flag + ".yaml");
        String exported = Files.readString(file);
        Run again = cli(stack, requester, Map.of(), "export", "-p", project, "-d", dir.toString());
        assertThat(again.exit()).isZero();
        assertThat(Files.readString(file)).as("a second export is byte for byte the same").isEqualTo(exported);

        // the edit a pull request would make: staging 10% -> 50%, production switched on
        int production = exported.indexOf("\n  production:\n");
        int staging = exported.indexOf("\n  staging:\n");
        assertThat(production).isPositive().isLessThan(staging);
        String edited = exported.substring(0, production)
                + exported.substring(production, staging).replaceFirst("enabled: false", "enabled: true")
                + exported.substring(staging).replace("weight: 10000", "weight: 50000").replace("weight: 90000", "weight: 50000");
        Files.writeString(file, edited, StandardCharsets.UTF_8);

        Run plan = cli(stack, requester, Map.of(), "plan", "-p", project, "-d", dir.toString(), "--output", "json");
        assertThat(plan.exit()).as(plan.err()).isZero();
        JsonNode changes = plan.json().path("changes");
        assertThat(changes).hasSize(2);
        JsonNode prod = find(changes, "production");
        JsonNode stag = find(changes, "staging");
        assertThat(prod.path("route").asText()).isEqualTo("change-request");
        assertThat(lines(prod)).containsExactly("enabled: false -> true");
        assertThat(stag.path("route").asText()).isEqualTo("direct");
        assertThat(lines(stag)).containsExactly("fallthrough.rollout.variations[on].weight: 10000 -> 50000",
                "fallthrough.rollout.variations[off].weight: 90000 -> 50000");
        Run planText = cli(stack, requester, Map.of(), "plan", "-p", project, "-d", dir.toString());
        assertThat(planText.out()).contains("everyone else -> on 50%, off 50%", "2 changes to apply.");

        String runId = Long.toString(System.nanoTime());
        Map<String, String> github = Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/flags", "GITHUB_RUN_ID", runId,
                "GITHUB_RUN_ATTEMPT", "1");
        Run apply = cli(stack, requester, github, "apply", "-p", project, "-d", dir.toString(), "--output", "json");
        assertThat(apply.exit()).as(apply.err()).isZero();
        String correlation = "gha-acme/flags-" + runId + "-1";
        assertThat(apply.json().path("correlationId").asText()).isEqualTo(correlation);
        JsonNode applied = find(apply.json().path("results"), "staging");
        assertThat(applied.path("result").asText()).isEqualTo("applied");
        assertThat(applied.path("version").asLong()).isEqualTo(2);
        JsonNode filed = find(apply.json().path("results"), "production");
        String requestId = filed.path("changeRequestId").asText();
        assertThat(filed.path("url").asText()).isEqualTo(stack.url("approval-service") + "/console/requests/" + requestId);
        given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token("viewer")).get("/api/v1/change-requests/{id}", requestId)
                .then().statusCode(200).body("correlationId", org.hamcrest.Matchers.equalTo(correlation))
                .body("state", org.hamcrest.Matchers.equalTo("pending"));
        given().baseUri(stack.url("flag-api")).auth().oauth2(requester).get("/api/v1/projects/{p}/flags/{f}", project, flag).then()
                .body("environments.find { it.environment == 'staging' }.config.fallthrough.rollout.variations[0].weight",
                        org.hamcrest.Matchers.equalTo(50000));

        ApprovedChangeReachesFlagApiIT.approve(stack, "approver1", requestId);
        ApprovedChangeReachesFlagApiIT.approve(stack, "approver2", requestId);
        ApprovedChangeReachesFlagApiIT.awaitState(stack, requestId, "applied");

        // the scheduled drift job reads flags and the ledger (flag-viewer + audit-admin/reader)
        String admin = stack.token("admin");
        Run clean = cli(stack, admin, Map.of(), "plan", "-p", project, "-d", dir.toString(), "--detect-drift");
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("No changes");

        // someone changes staging outside Git
        String sre = stack.token("sre");
        given().baseUri(stack.url("flag-api")).auth().oauth2(sre).contentType(ContentType.JSON).header("If-Match", "\"2\"")
                .body(Map.of("config", Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("rollout", Map.of("variations",
                        List.of(Map.of("variation", "on", "weight", 70000), Map.of("variation", "off", "weight", 30000))))),
                        "reason", "hotfix by hand"))
                .put("/api/v1/projects/{p}/flags/{f}/environments/staging", project, flag).then().statusCode(200);
        // the ledger learns of the write through Kafka: wait until the drift report names a writer other than Git's
        Run drift = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(
                () -> cli(stack, admin, Map.of(), "plan", "-p", project, "-d", dir.toString(), "--detect-drift", "--output", "json"),
                r -> r.exit() == 1 && r.json().at("/changes/0/lastChange/action").asText().equals("flag.environment.updated")
                        && !r.json().at("/changes/0/lastChange/correlationId").asText().equals(correlation));
        JsonNode last = drift.json().at("/changes/0/lastChange");
        assertThat(drift.json().at("/changes/0/environment").asText()).isEqualTo("staging");
        assertThat(last.path("actor").asText()).containsAnyOf("Sasha", "sre");
        assertThat(last.path("at").asText()).isNotBlank();
        Run driftText = cli(stack, admin, Map.of(), "plan", "-p", project, "-d", dir.toString(), "--detect-drift");
        assertThat(driftText.exit()).isEqualTo(1);
        // plan reads live -> files: what apply would do to bring staging back to Git
        assertThat(driftText.out()).contains("drift: last changed by " + last.path("actor").asText(), "weight: 70000 -> 50000");
    }

    private static JsonNode find(JsonNode list, String environment) {
        for (JsonNode n : list) {
            if (environment.equals(n.path("environment").asText())) {
                return n;
            }
        }
        throw new AssertionError("no entry for " + environment + " in " + list);
    }

    private static List<String> lines(JsonNode change) {
        List<String> out = new ArrayList<>();
        change.path("lines").forEach(l -> out.add(l.path("path").asText() + ": " + l.path("before").asText() + " -> " + l.path("after").asText()));
        return out;
    }

    /** Runs the CLI jar as CI would: the token in the environment, never on the command line. */
    static Run cli(Stack stack, String token, Map<String, String> ci, String... args) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        File jar;
        try (var files = Files.list(root.resolve("cli/target"))) {
            jar = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("build the CLI first: ./mvnw -pl cli -am package")).toFile();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        // no CI variables of the machine running the test leak in
        env.keySet().removeIf(k -> k.startsWith("GITHUB_") || k.startsWith("GITLAB") || k.startsWith("CI_")
                || k.startsWith("BUILDKITE") || k.equals("JENKINS_URL") || k.startsWith("FLAGLEDGER_"));
        env.putAll(new HashMap<>(ci));
        env.put("FLAGLEDGER_TOKEN", token);
        env.put("FLAGLEDGER_FLAG_API_URL", stack.url("flag-api"));
        env.put("FLAGLEDGER_APPROVAL_URL", stack.url("approval-service"));
        env.put("FLAGLEDGER_AUDIT_URL", stack.url("audit-service"));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not finish: " + String.join(" ", args));
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }
}
