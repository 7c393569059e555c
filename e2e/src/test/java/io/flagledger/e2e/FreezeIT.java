package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An incident freeze against the real stack (real Keycloak tokens, flag-api, approval-service, audit-service, Kafka,
 * PostgreSQL): during the freeze every flag write is refused with 423 naming it, approval-service's apply of an
 * approved change included (the request waits visibly); the break-glass kill still works; every attempt, the freeze
 * and its lift are in the ledger; after the lift writes work again and the held-back request is applied.
 */
class FreezeIT {

    private static final Stack STACK = ApprovalStack.get();
    private static final Map<String, Object> ON = Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("variation", "on"));

    @Test
    void aFreezeRefusesEveryWriteButTheBrakeAndEveryAttemptIsInTheLedger() {
        String project = "frz-" + UUID.randomUUID().toString().substring(0, 8);
        String editor = STACK.token("requester");
        String freezer = STACK.token("freezer");
        String flag = newFlag(editor, project, "release");
        String kill = newFlag(editor, project, "kill-switch");
        api(editor).body(Map.of("enabled", true, "reason", "arm the brake")).post(toggle(project, kill, "staging")).then().statusCode(200);

        String setCorrelation = "INC-" + UUID.randomUUID();
        String freezeId = api(freezer).header("X-Correlation-Id", setCorrelation)
                .body(Map.of("reason", "INC-42: checkout errors, hands off", "ticket", "INC-42"))
                .post("/api/v1/projects/{p}/freezes", project).then().statusCode(201).extract().path("id");

        // an approved change reaches flag-api through approval-service's apply: 423, and the request waits visibly
        String request = given().baseUri(STACK.url("approval-service")).auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("project", project, "flag", flag, "environment", "production", "baseVersion", 0, "config", ON,
                        "reason", "go live", "correlationId", "CHG-" + flag))
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        for (String approver : List.of("approver1", "approver2")) {
            given().baseUri(STACK.url("approval-service")).auth().oauth2(STACK.token(approver)).contentType(ContentType.JSON)
                    .header("If-Match", "\"1\"").body(Map.of("comment", "ok"))
                    .post("/api/v1/change-requests/{id}/approvals", request).then().statusCode(200);
        }
        await("the apply blocked by the freeze").atMost(Duration.ofSeconds(30)).until(() -> freezeId.equals(
                changeRequest(request).getString("frozenBy.id")));
        assertThat(changeRequest(request).getString("state")).isEqualTo("approved");

        // every write path a person has: 423 naming the freeze, each attempt a signed entry in the ledger
        refused(project, freezeId, "create", api(editor).body(Map.of("key", "late-" + flag, "name", "x")), "POST",
                "/api/v1/projects/" + project + "/flags");
        refused(project, freezeId, "toggle", api(editor).body(Map.of("enabled", true, "reason", "r")), "POST", toggle(project, flag, "staging"));
        refused(project, freezeId, "config", api(editor).body(Map.of("config", ON, "reason", "r")), "PUT",
                "/api/v1/projects/" + project + "/flags/" + flag + "/environments/development");
        refused(project, freezeId, "metadata", api(editor).body(Map.of("owner", "someone", "reason", "r")), "PATCH",
                "/api/v1/projects/" + project + "/flags/" + flag);
        refused(project, freezeId, "archive", api(editor).body(Map.of("reason", "r")), "POST",
                "/api/v1/projects/" + project + "/flags/" + flag + "/archive");
        refused(project, freezeId, "segment", api(editor).body(Map.of("definition",
                        Map.of("included", List.of("u1"), "excluded", List.of(), "rules", List.of()), "reason", "r")), "PUT",
                "/api/v1/projects/" + project + "/environments/staging/segments/beta");
        // approval-service's refused apply is in the ledger too, by its service account
        String auditor = STACK.token("auditor");
        JsonPath applyRefused = Ledger.awaitSearch(STACK, auditor, Map.of("correlation_id", "CHG-" + flag, "action", "access.denied"),
                1, Duration.ofSeconds(30));
        assertThat(applyRefused.getInt("items[0].event.scope.status")).isEqualTo(423);
        assertThat(applyRefused.getString("items[0].event.scope.freeze.id")).isEqualTo(freezeId);

        // the emergency brake is never frozen
        api(editor).body(Map.of("enabled", false, "reason", "INC-42: stop the bleeding")).post(toggle(project, kill, "staging"))
                .then().statusCode(200).body("frozen.id", equalTo(freezeId));

        String liftCorrelation = "INC-" + UUID.randomUUID();
        api(freezer).header("X-Correlation-Id", liftCorrelation).body(Map.of("reason", "INC-42 resolved"))
                .post("/api/v1/projects/{p}/freezes/{id}/lift", project, freezeId).then().statusCode(200);
        api(editor).body(Map.of("enabled", true, "reason", "back to work")).post(toggle(project, flag, "staging")).then().statusCode(200);
        await("the held-back request applied after the lift").atMost(Duration.ofSeconds(60))
                .until(() -> "applied".equals(changeRequest(request).getString("state")));
        assertThat(changeRequest(request).getString("frozenBy")).isNull();

        assertThat(Ledger.awaitSearch(STACK, auditor, Map.of("correlation_id", setCorrelation), 1, Duration.ofSeconds(30))
                .getString("items[0].event.action")).isEqualTo("freeze.set");
        assertThat(Ledger.awaitSearch(STACK, auditor, Map.of("correlation_id", liftCorrelation), 1, Duration.ofSeconds(30))
                .getString("items[0].event.action")).isEqualTo("freeze.lifted");
    }

    /** The attempt is refused with 423 naming the freeze, and its own access.denied entry (by correlation id) says so. */
    private static void refused(String project, String freezeId, String what, RequestSpecification request, String method, String path) {
        String correlation = "frz-" + what + "-" + UUID.randomUUID();
        request.header("X-Correlation-Id", correlation).request(method, path).then().statusCode(423)
                .contentType("application/problem+json").body("freeze.id", equalTo(freezeId))
                .body("type", equalTo("https://flagledger.dev/problems/frozen"));
        JsonPath entry = Ledger.awaitSearch(STACK, STACK.token("auditor"), Map.of("correlation_id", correlation), 1, Duration.ofSeconds(30));
        assertThat(entry.getString("items[0].event.action")).as(what).isEqualTo("access.denied");
        assertThat(entry.getInt("items[0].event.scope.status")).as(what).isEqualTo(423);
        assertThat(entry.getString("items[0].event.scope.freeze.id")).as(what).isEqualTo(freezeId);
        assertThat(entry.getString("items[0].event.project")).as(what).isEqualTo(project);
    }

    private static JsonPath changeRequest(String id) {
        return given().baseUri(STACK.url("approval-service")).auth().oauth2(STACK.token("viewer"))
                .get("/api/v1/change-requests/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    private static String toggle(String project, String flag, String environment) {
        return "/api/v1/projects/" + project + "/flags/" + flag + "/environments/" + environment + "/toggle";
    }

    private static String newFlag(String token, String project, String kind) {
        String flag = kind.replace("-", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
        api(token).body(Map.of("key", flag, "name", "Freeze target", "kind", kind)).post("/api/v1/projects/{p}/flags", project)
                .then().statusCode(201);
        return flag;
    }

    private static RequestSpecification api(String token) {
        return given().baseUri(STACK.url("flag-api")).header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }
}
