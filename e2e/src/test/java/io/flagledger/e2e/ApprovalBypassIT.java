package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The ways around an approval that issue #12 listed, each tried against the real stack (real Keycloak tokens, real
 * flag-api, approval-service and audit-service): each is refused with its status, and each refusal is a signed
 * {@code access.denied} entry in the ledger, found by the attempt's correlation id. The break-glass rule (a kill is
 * never auto-reverted) needs monitor-service and a metric source; it is proven in monitor-service's
 * {@code MonitorFlowTest.aBreakGlassKillIsNeverRevertedOnlyAlerted} against real Kafka.
 */
class ApprovalBypassIT {

    private static final Stack STACK = ApprovalStack.get();
    private static final List<String> REFUSED = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void summary() {
        System.out.println("[bypass] " + REFUSED.stream().filter(line -> !line.startsWith("--")).count()
                + " attempts refused and in the ledger; checks:");
        REFUSED.forEach(line -> System.out.println("[bypass]   " + line));
    }

    // --- 1, 2: flag-wide operations that change what production serves ----------------------------------------

    @Test
    void archiveRestoreAndARiskDowngradeOfAProductionFlagNeedAnApproval() {
        String flag = newFlag("shop");
        String editor = STACK.token("requester");
        String path = "/api/v1/projects/shop/flags/" + flag;
        api(editor).header("If-Match", "\"1\"").body(Map.of("risk", "high", "reason", "payments")).patch(path)
                .then().statusCode(200);
        refused("editor archives a flag production serves", 428, "/api/v1/projects/{project}/flags/{key}/archive",
                api(editor).body(Map.of("reason", "done")), "POST", path + "/archive");
        refused("editor lowers the risk to get the weaker policy", 428, "/api/v1/projects/{project}/flags/{key}",
                api(editor).header("If-Match", "\"2\"").body(Map.of("risk", "low", "reason", "not risky")), "PATCH", path);
        refused("editor makes the flag visible to public client keys", 428, "/api/v1/projects/{project}/flags/{key}",
                api(editor).header("If-Match", "\"2\"").body(Map.of("clientVisible", true, "reason", "web")), "PATCH", path);
        given().baseUri(STACK.url("flag-api")).auth().oauth2(STACK.token("viewer")).get(path).then().statusCode(200)
                .body("archivedAt", org.hamcrest.Matchers.nullValue()).body("risk", org.hamcrest.Matchers.equalTo("high"));
    }

    // --- 3, 5: an approver who rewrote the request; a decision on another revision than the one reviewed ----------

    @Test
    void anApproverWhoRevisedARequestCannotApproveItAndDecisionsNameTheRevision() {
        String flag = newFlag("shop");
        String id = file(STACK.token("requester"), flag, CONFIG);
        String approver = STACK.token("approver1");
        String rewritten = "/api/v1/change-requests/" + id;
        given().baseUri(STACK.url("approval-service")).auth().oauth2(approver).contentType(ContentType.JSON)
                .body(Map.of("config", ON_FOR_EVERYONE, "comment", "simpler")).put(rewritten + "/proposal")
                .then().statusCode(200).body("revision", org.hamcrest.Matchers.equalTo(2));
        refused("approver approves the request they rewrote", 403, "/api/v1/change-requests/{id}/approvals",
                approvals(approver).header("If-Match", "\"2\""), "POST", rewritten + "/approvals");
        refused("approval without the revision reviewed (no If-Match)", 428, "/api/v1/change-requests/{id}/approvals",
                approvals(STACK.token("approver2")), "POST", rewritten + "/approvals");
        // a stale revision is a race, not an attack: 412, and nothing counted
        approvals(STACK.token("approver2")).header("If-Match", "\"1\"").post(rewritten + "/approvals").then().statusCode(412);
        given().baseUri(STACK.url("approval-service")).auth().oauth2(STACK.token("viewer")).get(rewritten).then()
                .statusCode(200).body("approvals.counted", org.hamcrest.Matchers.equalTo(0))
                .body("revisionAuthor.authorId", org.hamcrest.Matchers.equalTo(subjectOf(approver)));
    }

    // --- 4: the approvers' diff shows a re-ordering of first-match rules ---------------------------------------

    @Test
    void theDiffShowsARuleReorderingEvenWhenARuleAlsoChanges() {
        String flag = newFlag("shop");
        String editor = STACK.token("requester");
        Map<String, Object> sanctioned = rule("sanctioned", "country", "in", List.of("IR", "KP"), "off");
        Map<String, Object> everyone = rule("everyone", "country", "notIn", List.of("XX"), "on");
        Map<String, Object> before = Map.of("enabled", true, "offVariation", "off", "rules", List.of(sanctioned, everyone),
                "fallthrough", Map.of("variation", "off"));
        api(editor).header("If-Match", "\"0\"").body(Map.of("config", before, "reason", "setup")).put(
                "/api/v1/projects/shop/flags/" + flag + "/environments/staging").then().statusCode(200);
        Map<String, Object> sanctionedPlusCu = rule("sanctioned", "country", "in", List.of("IR", "KP", "CU"), "off");
        Map<String, Object> after = Map.of("enabled", true, "offVariation", "off", "rules", List.of(everyone, sanctionedPlusCu),
                "fallthrough", Map.of("variation", "off"));
        String id = given().baseUri(STACK.url("approval-service")).auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("project", "shop", "flag", flag, "environment", "staging", "baseVersion", 1, "config", after,
                        "reason", "add Cuba", "correlationId", "bypass-diff-" + flag))
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        List<String> paths = given().baseUri(STACK.url("approval-service")).auth().oauth2(STACK.token("approver1"))
                .get("/api/v1/change-requests/{id}", id).then().statusCode(200).extract().path("diff.path");
        assertThat(paths).as("the diff approvers see").contains("rules (order)");
        REFUSED.add("--   the diff of 'everyone' moved above 'sanctioned' (+CU) shows 'rules (order)'");
    }

    // --- 6: one person, two accounts ----------------------------------------------------------------------------

    @Test
    void aSecondAccountOfTheRequesterCannotApprove() {
        String email = "twin-" + UUID.randomUUID().toString().substring(0, 8) + "@flagledger.test";
        var work = io.flagledger.testsupport.keycloak.KeycloakUsers.create(STACK.keycloak(), io.flagledger.testsupport.keycloak.DemoRealm.CLI_CLIENT,
                "twin-work", email, true, "flag-viewer", "flag-editor");
        var home = io.flagledger.testsupport.keycloak.KeycloakUsers.create(STACK.keycloak(), io.flagledger.testsupport.keycloak.DemoRealm.CLI_CLIENT,
                "twin-home", email, true, "flag-viewer", "flag-approver");
        String id = file(work.token(), newFlag("shop"), CONFIG);
        refused("the requester's second account approves", 403, "/api/v1/change-requests/{id}/approvals",
                approvals(home.token()).header("If-Match", "\"1\""), "POST", "/api/v1/change-requests/" + id + "/approvals");
    }

    // --- 12: the console is for Flagledger's users, and reads the ledger as the person --------------------------

    @Test
    void anAccountWithoutAFlagledgerRoleReadsNothingInTheConsole() throws Exception {
        var stranger = io.flagledger.testsupport.keycloak.KeycloakUsers.create(STACK.keycloak(),
                io.flagledger.testsupport.keycloak.DemoRealm.CLI_CLIENT, "stranger",
                "stranger-" + UUID.randomUUID().toString().substring(0, 8) + "@flagledger.test", true);
        ConsoleSession session = new ConsoleSession(STACK.url("approval-service"), "/console", stranger.username(),
                stranger.password(), false);
        assertThat(session.firstStatus).as("the console inbox for an account without a Flagledger role").isEqualTo(403);
        assertThat(session.firstPage).doesNotContain("/console/requests/");
        inLedgerAs("account without a Flagledger role opens the console", subjectOf(stranger.token()), 403, "/console");
    }

    // --- 7: a token approved by nobody, or by its own requester --------------------------------------------------

    @Test
    void flagApiRefusesAnApprovalTokenWithTooFewOrSelfApprovers() {
        String flag = newFlag("shop");
        String path = "/api/v1/projects/shop/flags/" + flag + "/archive";
        String applier = serviceToken("approval-service");
        String requester = subjectOf(STACK.token("requester"));
        for (List<String> approvers : List.of(List.<String>of(), List.of("someone"), List.of("someone", "someone"),
                List.of("someone", requester))) {
            io.flagledger.contract.approval.ApprovalClaims claims = io.flagledger.contract.approval.ApprovalClaims.forOperation(
                    "cr-" + UUID.randomUUID(), "shop", flag, "archive", 1,
                    io.flagledger.contract.approval.ApprovalClaims.operationHashOf("archive", null), approvers,
                    java.time.Instant.now().minusSeconds(1), java.time.Instant.now().plusSeconds(300)).withRequester(requester);
            String token = io.flagledger.contract.approval.ApprovalTokens.issue(claims, STACK.approvalTokenSigner());
            refused("approval token approved by " + approvers, 403, "/api/v1/projects/{project}/flags/{key}/archive",
                    api(applier).header(io.flagledger.contract.approval.ApprovalTokens.HEADER, token)
                            .body(Map.of("reason", "forged")), "POST", path);
        }
    }

    // --- 9: service accounts hold only their own job -----------------------------------------------------------

    @Test
    void serviceAccountsCanDoNothingButTheirOwnJob() {
        String flag = newFlag("shop");
        String applier = serviceToken("approval-service");
        String reverter = serviceToken("monitor-service");
        refused("approval-service account creates a flag", 403, "/api/v1/projects/{project}/flags",
                api(applier).body(Map.of("key", "sneaky-" + flag, "name", "x")), "POST", "/api/v1/projects/shop/flags");
        refused("approval-service account toggles staging without a token", 403,
                "/api/v1/projects/{project}/flags/{key}/environments/{environment}/toggle",
                api(applier).header("If-Match", "\"0\"").body(Map.of("enabled", true, "reason", "x")),
                "POST", "/api/v1/projects/shop/flags/" + flag + "/environments/staging/toggle");
        refused("monitor-service account reads flags", 403, "/api/v1/projects/{project}/flags/{key}",
                api(reverter), "GET", "/api/v1/projects/shop/flags/" + flag);
        refused("monitor-service account toggles a flag", 403,
                "/api/v1/projects/{project}/flags/{key}/environments/{environment}/toggle",
                api(reverter).header("If-Match", "\"0\"").body(Map.of("enabled", true, "reason", "x")),
                "POST", "/api/v1/projects/shop/flags/" + flag + "/environments/staging/toggle");
    }

    // --- 10: roles are scoped to a project ------------------------------------------------------------------------

    @Test
    void aTeamsEditorAndAdminCannotTouchAnotherTeamsProject() {
        String flag = newFlag("shop");
        refused("team-a editor toggles shop's staging", 403,
                "/api/v1/projects/{project}/flags/{key}/environments/{environment}/toggle",
                api(STACK.token("editor-a")).header("If-Match", "\"0\"").body(Map.of("enabled", true, "reason", "x")),
                "POST", "/api/v1/projects/shop/flags/" + flag + "/environments/staging/toggle");
        refused("team-a admin mints an SDK key for shop's production", 403,
                "/api/v1/projects/{project}/environments/{environment}/sdk-keys",
                api(STACK.token("admin-a")).body(Map.of("kind", "server")),
                "POST", "/api/v1/projects/shop/environments/production/sdk-keys");
        // and in its own project the same editor may work
        given().baseUri(STACK.url("flag-api")).auth().oauth2(STACK.token("editor-a")).contentType(ContentType.JSON)
                .body(Map.of("key", "team-a-" + flag, "name", "Team A's own")).post("/api/v1/projects/team-a/flags")
                .then().statusCode(201);
    }

    // --- 11: a client SDK key sees no configuration ---------------------------------------------------------------

    @Test
    void aClientKeyGetsNeitherTheRawStreamNorHiddenFlags() throws Exception {
        String flag = newFlag("shop");
        String clientKey = given().baseUri(STACK.url("flag-api")).auth().oauth2(STACK.token("admin"))
                .contentType(ContentType.JSON).body(Map.of("kind", "client"))
                .post("/api/v1/projects/shop/environments/staging/sdk-keys").then().statusCode(201).extract().path("key");
        String correlation = "bypass-" + UUID.randomUUID();
        HttpResponse<String> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(STACK.url("flag-api") + "/sdk/v1/stream"))
                .header("Authorization", "Bearer " + clientKey).header("Accept", "text/event-stream")
                .header("X-Correlation-Id", correlation).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stream.statusCode()).isEqualTo(403);
        assertThat(stream.body()).doesNotContain("salt").doesNotContain("\"rules\"");
        inLedger("client key opens the raw-config stream", correlation, 403, "/sdk/v1/stream", null);
        // a flag not marked client-visible does not exist for a client key (the same answer as an unknown flag)
        given().baseUri(STACK.url("flag-api")).header("Authorization", "Bearer " + clientKey).contentType(ContentType.JSON)
                .body(Map.of("context", Map.of("targetingKey", "user-1")))
                .post("/ofrep/v1/evaluate/flags/{f}", flag).then().statusCode(404).body("errorCode", org.hamcrest.Matchers.equalTo("FLAG_NOT_FOUND"));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    static String newFlag(String project) {
        String flag = "bypass-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(STACK.url("flag-api")).auth().oauth2(STACK.token("requester")).contentType(ContentType.JSON)
                .body(Map.of("key", flag, "name", "Bypass target")).post("/api/v1/projects/{p}/flags", project)
                .then().statusCode(201);
        return flag;
    }

    static final Map<String, Object> CONFIG = Map.of("enabled", true, "offVariation", "off",
            "fallthrough", Map.of("rollout", Map.of("variations", List.of(
                    Map.of("variation", "on", "weight", 10000), Map.of("variation", "off", "weight", 90000)))));
    static final Map<String, Object> ON_FOR_EVERYONE = Map.of("enabled", true, "offVariation", "off",
            "fallthrough", Map.of("variation", "on"));

    /** Files a production config change request as {@code token}'s user; returns its id. */
    static String file(String token, String flag, Map<String, Object> config) {
        return given().baseUri(STACK.url("approval-service")).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("project", "shop", "flag", flag, "environment", "production", "baseVersion", 0,
                        "config", config, "reason", "canary", "correlationId", "CHG-" + flag))
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
    }

    static Map<String, Object> rule(String id, String attribute, String operator, List<String> values, String variation) {
        return Map.of("id", id, "clauses", List.of(Map.of("attribute", attribute, "operator", operator, "values", values)),
                "serve", Map.of("variation", variation));
    }

    static RequestSpecification approvals(String token) {
        return given().baseUri(STACK.url("approval-service")).header("Authorization", "Bearer " + token)
                .contentType(ContentType.JSON).body(Map.of("comment", "ok"));
    }

    static String subjectOf(String jwt) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getString("sub");
    }

    static String serviceToken(String client) {
        return STACK.keycloak().clientCredentialsToken(client, STACK.realm().clientSecret(client));
    }

    /** The token goes in a plain header so {@link #refused} can tell whose refusal to look for. */
    static RequestSpecification api(String token) {
        return given().baseUri(STACK.url("flag-api")).header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /**
     * Sends the attempt with a fresh correlation id, asserts its status and problem+json, then finds its
     * {@code access.denied} entry in the ledger: same correlation id, status and endpoint template.
     */
    static void refused(String attempt, int status, String endpoint, RequestSpecification request, String method, String path) {
        String correlation = "bypass-" + UUID.randomUUID();
        String caller = subjectOf(io.restassured.specification.SpecificationQuerier.query(request).getHeaders()
                .getValue("Authorization").substring("Bearer ".length()));
        request.header("X-Correlation-Id", correlation).request(method, path).then().statusCode(status)
                .contentType("application/problem+json");
        inLedger(attempt, correlation, status, endpoint, caller);
    }

    /**
     * The attempt's own {@code access.denied} entry (by its correlation id), or, when the same caller was refused at
     * the same endpoint with the same status within the denial window, the {@code access.denied.summary} that
     * counts it: every refusal is in the ledger, the first in full. {@code caller} (the token's subject; null for an
     * SDK key) keeps another caller's earlier refusal from counting.
     */
    static void inLedger(String attempt, String correlation, int status, String endpoint, String caller) {
        String auditor = STACK.token("auditor");
        JsonPath page;
        try {
            page = Ledger.awaitSearch(STACK, auditor, Map.of("correlation_id", correlation), 1, Duration.ofSeconds(15));
        } catch (org.awaitility.core.ConditionTimeoutException counted) {
            String actor = (String) Ledger.awaitSearch(STACK, auditor, Map.of("action", "access.denied", "limit", "500"), 1,
                            Duration.ofSeconds(5)).getList("items.event").stream().map(e -> (Map<?, ?>) e)
                    .filter(e -> matches(e, status, endpoint) && (caller == null || caller.equals(e.get("actor_id"))))
                    .map(e -> e.get("actor_id")).findFirst().orElse(null);
            assertThat(actor).as(attempt + ": an earlier full entry of the same refusal").isNotNull();
            inLedgerAs(attempt, actor, status, endpoint);
            return;
        }
        Map<String, Object> event = page.getMap("items[0].event");
        assertThat(event.get("action")).as(attempt).isEqualTo("access.denied");
        assertThat(matches(event, status, endpoint)).as(attempt + ": " + event.get("scope")).isTrue();
        REFUSED.add(status + "  " + attempt);
    }

    /** A refusal of {@code actor} at {@code endpoint} with {@code status}, in full or counted in a summary. */
    static void inLedgerAs(String attempt, String actor, int status, String endpoint) {
        String auditor = STACK.token("auditor");
        org.awaitility.Awaitility.await(attempt).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                given().baseUri(STACK.url("audit-service")).auth().oauth2(auditor).queryParam("actor", actor)
                        .queryParam("limit", 500).get("/api/v1/audit/events").then().statusCode(200).extract().jsonPath()
                        .getList("items.event").stream().map(e -> (Map<?, ?>) e)
                        .anyMatch(e -> ("access.denied".equals(e.get("action")) || "access.denied.summary".equals(e.get("action")))
                                && matches(e, status, endpoint)));
        REFUSED.add(status + "  " + attempt);
    }

    private static boolean matches(Map<?, ?> event, int status, String endpoint) {
        Map<?, ?> scope = (Map<?, ?>) event.get("scope");
        return scope != null && Integer.valueOf(status).equals(scope.get("status")) && endpoint.equals(scope.get("endpoint"));
    }
}
