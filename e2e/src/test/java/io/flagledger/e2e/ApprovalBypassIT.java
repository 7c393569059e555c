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
        System.out.println("[bypass] " + REFUSED.size() + " attempts refused and in the ledger:");
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
        inLedger("client key opens the raw-config stream", correlation, 403, "/sdk/v1/stream");
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

    static String subjectOf(String jwt) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getString("sub");
    }

    static String serviceToken(String client) {
        return STACK.keycloak().clientCredentialsToken(client, STACK.realm().clientSecret(client));
    }

    static RequestSpecification api(String token) {
        return given().baseUri(STACK.url("flag-api")).auth().oauth2(token).contentType(ContentType.JSON);
    }

    /**
     * Sends the attempt with a fresh correlation id, asserts its status and problem+json, then finds its
     * {@code access.denied} entry in the ledger: same correlation id, status and endpoint template.
     */
    static void refused(String attempt, int status, String endpoint, RequestSpecification request, String method, String path) {
        String correlation = "bypass-" + UUID.randomUUID();
        request.header("X-Correlation-Id", correlation).request(method, path).then().statusCode(status)
                .contentType("application/problem+json");
        inLedger(attempt, correlation, status, endpoint);
    }

    static void inLedger(String attempt, String correlation, int status, String endpoint) {
        JsonPath page = Ledger.awaitSearch(STACK, STACK.token("auditor"), Map.of("correlation_id", correlation), 1,
                Duration.ofSeconds(60));
        Map<String, Object> event = page.getMap("items[0].event");
        assertThat(event.get("action")).as(attempt).isEqualTo("access.denied");
        @SuppressWarnings("unchecked")
        Map<String, Object> scope = (Map<String, Object>) event.get("scope");
        assertThat(scope.get("status")).as(attempt).isEqualTo(status);
        assertThat(scope.get("endpoint")).as(attempt).isEqualTo(endpoint);
        REFUSED.add(status + "  " + attempt);
    }
}
