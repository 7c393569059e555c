package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The approval path with everything real: a requester files a production change in approval-service, two
 * approvers signed in through Keycloak approve it, approval-service applies it to flag-api with its own
 * identity and an approval token, and the ledger holds both services' events. Then the hard case: approval-service
 * is killed right after flag-api accepted the write; after the restart the change is neither lost nor repeated.
 */
class ApprovedChangeReachesFlagApiIT {

    static final Map<String, Object> PROPOSED = Map.of("enabled", true, "offVariation", "off",
            "fallthrough", Map.of("rollout", Map.of("variations", List.of(
                    Map.of("variation", "on", "weight", 10000), Map.of("variation", "off", "weight", 90000)))));

    @Test
    void requestApprovalsApplyAndLedger() {
        Stack stack = ApprovalStack.get();
        String flag = newFlag(stack);
        String id = file(stack, flag, "CHG-" + flag);

        approve(stack, "approver1", id).body("state", equalTo("pending"));
        // flag-api refuses the same write without the approvals: production is gated
        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("requester")).contentType(ContentType.JSON)
                .header("If-Match", "\"0\"").header("X-Correlation-Id", "sneak")
                .body(Map.of("config", PROPOSED, "reason", "skip the queue"))
                .put("/api/v1/projects/shop/flags/{f}/environments/production", flag).then().statusCode(428);
        approve(stack, "approver2", id).body("state", equalTo("approved"));

        JsonPath applied = awaitState(stack, id, "applied");
        assertThat(applied.getLong("appliedVersion")).isEqualTo(1L);
        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("viewer"))
                .get("/api/v1/projects/shop/flags/{f}", flag).then().statusCode(200)
                .body("environments.find { it.environment == 'production' }.config.enabled", equalTo(true))
                .body("environments.find { it.environment == 'production' }.version", equalTo(1));

        List<Map<String, Object>> ledger = awaitLedger(stack, flag, 6);
        assertThat(ledger).extracting(e -> e.get("action")).contains("flag.created", "change_request.created",
                "change_request.approval_added", "change_request.approved", "flag.environment.updated",
                "change_request.applied");
        Map<String, Object> write = ledger.stream().filter(e -> "flag.environment.updated".equals(e.get("action")))
                .findFirst().orElseThrow();
        assertThat(write.get("actor_type")).isEqualTo("service");
        assertThat(write.get("correlation_id")).isEqualTo("CHG-" + flag);
        assertThat(ledger).filteredOn(e -> "approval-service".equals(e.get("source_service")))
                .allSatisfy(e -> assertThat(e.get("correlation_id")).isEqualTo("CHG-" + flag));
    }

    @Test
    void aCrashRightAfterFlagApiAcceptedTheWriteNeitherLosesNorRepeatsTheChange() {
        Stack stack = ApprovalStack.get();
        ApprovalStack.FlagApiProxy proxy = ApprovalStack.proxy();
        String flag = newFlag(stack);
        String id = file(stack, flag, "CHG-crash-" + flag);
        approve(stack, "approver1", id);
        int forwarded = proxy.writesForwarded.get();
        proxy.crashAfterNextWrite = true;
        approve(stack, "approver2", id).body("state", equalTo("approved"));

        // approval-service was killed with the write committed in flag-api and its own state still "approved"
        await().atMost(Duration.ofSeconds(120)).until(() -> !proxy.crashAfterNextWrite);
        JsonPath after = awaitState(stack, id, "applied");
        assertThat(after.getLong("appliedVersion")).isEqualTo(1L);
        assertThat(after.getInt("applyAttempts")).isGreaterThanOrEqualTo(2);
        assertThat(proxy.writesForwarded.get() - forwarded).as("writes flag-api accepted").isEqualTo(1);
        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("viewer"))
                .get("/api/v1/projects/shop/flags/{f}", flag).then().statusCode(200)
                .body("environments.find { it.environment == 'production' }.version", equalTo(1));
        List<Map<String, Object>> ledger = awaitLedger(stack, flag, 6);
        assertThat(ledger).filteredOn(e -> "flag.environment.updated".equals(e.get("action"))).hasSize(1);
        assertThat(ledger).filteredOn(e -> "change_request.applied".equals(e.get("action"))).hasSize(1);
    }

    @Test
    void aProductionSegmentChangesOnlyThroughApprovalAndTheLedgerShowsWhoApproved() {
        Stack stack = ApprovalStack.get();
        String segment = "vip-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> definition = Map.of("included", List.of("user-1", "user-2"));
        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("requester")).contentType(ContentType.JSON)
                .header("X-Correlation-Id", "sneak").body(Map.of("definition", definition, "reason", "skip the queue"))
                .put("/api/v1/projects/shop/environments/production/segments/{s}", segment).then().statusCode(428);

        String id = given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token("requester"))
                .contentType(ContentType.JSON)
                .body(Map.of("project", "shop", "segment", segment, "environment", "production", "baseVersion", 0,
                        "definition", definition, "reason", "VIP cohort for the launch", "correlationId", "CHG-" + segment))
                .post("/api/v1/change-requests").then().statusCode(201).body("state", equalTo("pending"))
                .extract().path("id");
        approve(stack, "approver1", id);
        approve(stack, "approver2", id);
        awaitState(stack, id, "applied");

        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("viewer"))
                .get("/api/v1/projects/shop/environments/production/segments/{s}", segment).then().statusCode(200)
                .body("version", equalTo(1)).body("definition.included", org.hamcrest.Matchers.containsInAnyOrder("user-1", "user-2"));
        String auditor = stack.token("auditor");
        List<Map<String, Object>> ledger = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditor)
                        .queryParam("correlation_id", "CHG-" + segment).get("/api/v1/audit/events")
                        .then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("items.event"),
                        events -> events.stream().anyMatch(e -> "segment.created".equals(e.get("action")))
                                && events.stream().anyMatch(e -> "change_request.applied".equals(e.get("action"))));
        Map<String, Object> write = ledger.stream().filter(e -> "segment.created".equals(e.get("action"))).findFirst().orElseThrow();
        assertThat(write.get("actor_type")).isEqualTo("service");
        @SuppressWarnings("unchecked")
        Map<String, Object> approval = (Map<String, Object>) ((Map<String, Object>) write.get("scope")).get("approval");
        assertThat(approval.get("change_request_id")).isEqualTo(id);
        assertThat((List<?>) approval.get("approvers")).hasSize(2);
    }

    static String newFlag(Stack stack) {
        String flag = "approved-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("requester")).contentType(ContentType.JSON)
                .body(Map.of("key", flag, "name", "Approved checkout"))
                .post("/api/v1/projects/shop/flags").then().statusCode(201);
        return flag;
    }

    static String file(Stack stack, String flag, String correlationId) {
        return given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token("requester"))
                .contentType(ContentType.JSON)
                .body(Map.of("project", "shop", "flag", flag, "environment", "production", "baseVersion", 0,
                        "config", PROPOSED, "reason", "Canary 10% for the new checkout", "correlationId", correlationId))
                .post("/api/v1/change-requests").then().statusCode(201)
                .body("state", equalTo("pending")).body("approvals.required", equalTo(2))
                .extract().path("id");
    }

    /** An approval of the revision the approver just read (If-Match: its ETag), as a reviewer makes it. */
    static io.restassured.response.ValidatableResponse approve(Stack stack, String user, String id) {
        String revision = given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token(user))
                .get("/api/v1/change-requests/{id}", id).then().statusCode(200).extract().header("ETag");
        return given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token(user)).contentType(ContentType.JSON)
                .header("If-Match", revision).body(Map.of("comment", "ok"))
                .post("/api/v1/change-requests/{id}/approvals", id).then().statusCode(200);
    }

    static JsonPath awaitState(Stack stack, String id, String state) {
        // exceptions are expected while approval-service restarts
        return await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> given().baseUri(stack.url("approval-service")).auth().oauth2(stack.token("viewer"))
                        .get("/api/v1/change-requests/{id}", id).then().extract().jsonPath(),
                        json -> state.equals(json.getString("state")));
    }

    static List<Map<String, Object>> awaitLedger(Stack stack, String flag, int atLeast) {
        String auditor = stack.token("auditor");
        JsonPath page = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditor)
                        .queryParam("flag", flag).queryParam("project", "shop")
                        .get("/api/v1/audit/events").then().statusCode(200).extract().jsonPath(),
                        json -> json.getList("items").size() >= atLeast
                                && json.getList("items.event.action").contains("change_request.applied"));
        return page.getList("items.event");
    }
}
