package io.flagledger.flagapi.freeze;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.flagapi.Approvals;
import io.flagledger.flagapi.TestEvents;
import io.flagledger.flagapi.approval.ProtectedWrite;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Incident freezes against real Keycloak tokens, PostgreSQL and Kafka: who may set and lift one, hostile input, 423
 * on every flag write path it covers, the break-glass kill and monitor-service's revert still passing, writes back
 * after the lift, and every step (set, refused attempt, lift) a signed event on flag.changes. Each test freezes its
 * own project, so no other test meets a freeze.
 */
@QuarkusTest
class FreezeTest {

    private static final String PROBLEM = "application/problem+json";
    /** The demo realm's freezer, by the name the identity provider gives (setBy names people as the ledger does). */
    private static final String FREEZER_NAME = "Ines Commander";

    @Test
    void onlyTheFreezerRoleSetsAndLiftsAndEveryReaderSeesTheFreeze() {
        String project = project();
        String freezer = KeycloakResource.tokenFor("freezer");
        freeze(KeycloakResource.tokenFor("requester"), project, null, "incident").then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString("flag-freezer"));
        freeze(KeycloakResource.tokenFor("admin"), project, "production", "incident").then().statusCode(403);
        Response set = freeze(freezer, project, "production", "INC-1: checkout errors");
        set.then().statusCode(201).contentType(ContentType.JSON)
                .header("Location", containsString("/api/v1/projects/" + project + "/freezes/"))
                .body("project", equalTo(project)).body("environment", equalTo("production"))
                .body("reason", equalTo("INC-1: checkout errors")).body("ticket", equalTo("INC-1"))
                .body("setBy", equalTo(FREEZER_NAME)).body("setAt", notNullValue()).body("liftedAt", nullValue());
        String id = set.path("id");
        freeze(freezer, project, "production", "again").then().statusCode(409).contentType(PROBLEM)
                .body("detail", containsString(id));
        for (String reader : List.of("viewer", "requester", "freezer")) {
            given().auth().oauth2(KeycloakResource.tokenFor(reader)).get("/api/v1/projects/{p}/freezes", project).then()
                    .statusCode(200).body("$", hasSize(1)).body("[0].id", equalTo(id))
                    .body("[0].environment", equalTo("production"));
        }
        given().auth().oauth2(KeycloakResource.tokenFor("auditor")).get("/api/v1/projects/{p}/freezes", project)
                .then().statusCode(403);
        lift(KeycloakResource.tokenFor("requester"), project, id, "over").then().statusCode(403);
        lift(freezer, project, id, "INC-1 resolved").then().statusCode(200).body("id", equalTo(id))
                .body("liftedBy", equalTo(FREEZER_NAME)).body("liftReason", equalTo("INC-1 resolved")).body("liftedAt", notNullValue());
        lift(freezer, project, id, "twice").then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(freezer).get("/api/v1/projects/{p}/freezes", project).then().statusCode(200).body("$", hasSize(0));
        given().auth().oauth2(freezer).get("/api/v1/projects/{p}/freezes/{id}", project, id).then().statusCode(200)
                .body("liftReason", equalTo("INC-1 resolved"));
    }

    @Test
    void anEnvironmentScopedFreezerFreezesOnlyThatEnvironment() {
        String scoped = KeycloakResource.tokenFor("freezer-a");
        freeze(scoped, "team-a", null, "whole project").then().statusCode(403);
        freeze(scoped, "shop", "staging", "other project").then().statusCode(403);
        freeze(scoped, "team-a", "production", "other environment").then().statusCode(403);
        String id = freeze(scoped, "team-a", "staging", "INC-2: staging broken").then().statusCode(201).extract().path("id");
        lift(scoped, "team-a", id, "INC-2 done").then().statusCode(200);
    }

    @Test
    void hostileInputIs4xxNamingTheField() {
        String project = project();
        String freezer = KeycloakResource.tokenFor("freezer");
        freezeBody(freezer, project, Map.of("reason", "a\u0000b")).then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of("reason", "a\u001bb")).then().statusCode(400).body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of("reason", "x".repeat(2001))).then().statusCode(400).body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of("reason", " ")).then().statusCode(400).body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of()).then().statusCode(400).body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of("reason", "r", "ticket", "T\u0000")).then().statusCode(400).body("errors.field", hasItem("ticket"));
        // a number or boolean where text belongs is refused, not stored as its spelling
        given().auth().oauth2(freezer).contentType(ContentType.JSON).body("{\"reason\":\"r\",\"ticket\":1e400}")
                .post("/api/v1/projects/{p}/freezes", project).then().statusCode(400).contentType(PROBLEM).body("errors.field", hasItem("ticket"));
        freezeBody(freezer, project, Map.of("reason", true)).then().statusCode(400).body("errors.field", hasItem("reason"));
        freezeBody(freezer, project, Map.of("reason", "r", "environment", "PROD/../x")).then().statusCode(400)
                .body("errors.field", hasItem("environment"));
        freezeBody(freezer, project, Map.of("reason", "r", "environment", "moon")).then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(freezer).contentType(ContentType.JSON).body("[1]").post("/api/v1/projects/{p}/freezes", project)
                .then().statusCode(400).contentType(PROBLEM);
        freeze(freezer, "Not A Project", null, "r").then().statusCode(400).contentType(PROBLEM);

        String id = freeze(freezer, project, null, "INC-3").then().statusCode(201).extract().path("id");
        lift(freezer, "other-" + project, id, "wrong project").then().statusCode(404);
        lift(freezer, project, "not-a-uuid", "r").then().statusCode(400).contentType(PROBLEM);
        lift(freezer, project, UUID.randomUUID().toString(), "r").then().statusCode(404);
        lift(freezer, project, id, "a\u0000b").then().statusCode(400).body("errors.field", hasItem("reason"));
        given().auth().oauth2(freezer).contentType(ContentType.JSON).body(Map.of())
                .post("/api/v1/projects/{p}/freezes/{id}/lift", project, id).then().statusCode(400).body("errors.field", hasItem("reason"));
        lift(freezer, project, id, "INC-3 done").then().statusCode(200);
    }

    @Test
    void everyWritePathIsRefusedWith423NamingTheFreezeAndWritesComeBackAfterTheLift() {
        String project = project();
        String editor = KeycloakResource.tokenFor("requester");
        String freezer = KeycloakResource.tokenFor("freezer");
        String key = newFlag(editor, project, "release");
        String id = freeze(freezer, project, null, "INC-4: all hands").then().statusCode(201).extract().path("id");

        List<Response> refused = List.of(
                given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", "new-" + key, "name", "n"))
                        .post("/api/v1/projects/{p}/flags", project),
                toggle(editor, project, key, "development", true),
                put(editor, project, key, "staging", config(true), null),
                put(editor, project, key, "production", config(true), Approvals.token(project, key, "production", 0, config(true))),
                given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                        .body(Map.of("owner", "team-x", "reason", "handover")).patch("/api/v1/projects/{p}/flags/{k}", project, key),
                given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "retire"))
                        .header(io.flagledger.contract.approval.ApprovalTokens.HEADER, Approvals.operationToken(project, key, "archive", 1, null))
                        .post("/api/v1/projects/{p}/flags/{k}/archive", project, key),
                given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "back"))
                        .post("/api/v1/projects/{p}/flags/{k}/restore", project, key),
                given().auth().oauth2(editor).contentType(ContentType.JSON)
                        .body(Map.of("definition", Map.of("included", List.of("u1"), "excluded", List.of(), "rules", List.of()), "reason", "r"))
                        .put("/api/v1/projects/{p}/environments/{e}/segments/{s}", project, "development", "beta"));
        for (Response r : refused) {
            r.then().statusCode(423).contentType(PROBLEM)
                    .body("type", equalTo(FreezeProblemMapper.TYPE)).body("status", equalTo(423))
                    .body("freeze.id", equalTo(id)).body("freeze.reason", equalTo("INC-4: all hands"))
                    .body("freeze.setBy", equalTo(FREEZER_NAME)).body("freeze.setAt", notNullValue())
                    .body("freeze.environment", nullValue())
                    .body("detail", containsString("frozen"));
        }
        // the flag view says so, per environment too; nothing changed
        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", project, key).then().statusCode(200)
                .body("frozen[0].id", equalTo(id)).body("environments.frozen.id", hasItem(id))
                .body("metadataVersion", equalTo(1)).body("environments.version", equalTo(List.of(0, 0, 0)))
                .body("archived", equalTo(false));

        lift(freezer, project, id, "INC-4 resolved").then().statusCode(200);
        toggle(editor, project, key, "development", true).then().statusCode(200).body("frozen", nullValue());
        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", project, key).then().statusCode(200)
                .body("frozen", nullValue());

        // the ledger: the freeze set and lifted, and the refused attempts (the first per caller and endpoint in full,
        // naming the freeze; the rest counted in a summary); the refused create is this test's alone
        List<AuditEvent> trail = TestEvents.events("flag.changes", e -> project.equals(e.project()) && e.action().startsWith("freeze."), 2);
        assertThat(trail).extracting(AuditEvent::action).containsExactly("freeze.set", "freeze.lifted");
        AuditEvent set = trail.get(0);
        assertThat(set.reason()).isEqualTo("INC-4: all hands");
        assertThat(set.newState().path("id").asText()).isEqualTo(id);
        assertThat(set.scope().path("frozen_environments")).extracting(JsonNode::asText)
                .containsExactly("development", "staging", "production");
        AuditEvent denied = TestEvents.events("flag.changes", e -> "access.denied".equals(e.action()) && project.equals(e.project())
                && "POST".equals(e.scope().path("method").asText())
                && "/api/v1/projects/{project}/flags".equals(e.scope().path("endpoint").asText()), 1).get(0);
        assertThat(denied.scope().path("status").asInt()).isEqualTo(423);
        assertThat(denied.scope().path("freeze").path("id").asText()).isEqualTo(id);
        assertThat(denied.flagId()).as("a refusal is not part of a flag's history").isNull();
        assertThat(denied.scope().path("flag").asText()).isEqualTo("new-" + key);
        AuditEvent lifted = trail.get(1);
        assertThat(lifted.reason()).isEqualTo("INC-4 resolved");
        assertThat(lifted.newState().path("lifted_by").asText()).isEqualTo(FREEZER_NAME);
    }

    @Test
    void anEnvironmentFreezeRefusesThatEnvironmentAndEveryFlagWideWriteOnly() {
        String project = project();
        String editor = KeycloakResource.tokenFor("requester");
        String freezer = KeycloakResource.tokenFor("freezer");
        String key = newFlag(editor, project, "release");
        String id = freeze(freezer, project, "staging", "INC-5").then().statusCode(201).extract().path("id");
        toggle(editor, project, key, "staging", true).then().statusCode(423).body("freeze.environment", equalTo("staging"));
        toggle(editor, project, key, "development", true).then().statusCode(200);
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("owner", "team-x", "reason", "handover")).patch("/api/v1/projects/{p}/flags/{k}", project, key)
                .then().statusCode(423);
        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", project, key).then()
                .body("environments.find { it.environment == 'staging' }.frozen.id", equalTo(id))
                .body("environments.find { it.environment == 'development' }.frozen", nullValue());
        lift(freezer, project, id, "done").then().statusCode(200);
    }

    @Test
    void theBreakGlassKillAndTheMonitorsRevertPassAFreeze() {
        String project = project();
        String editor = KeycloakResource.tokenFor("requester");
        String freezer = KeycloakResource.tokenFor("freezer");
        String monitor = KeycloakResource.serviceToken("monitor-service");
        String kill = newFlag(editor, project, "kill-switch");
        String release = newFlag(editor, project, "release");
        put(editor, project, kill, "production", config(true), Approvals.token(project, kill, "production", 0, config(true)))
                .then().statusCode(200);
        put(editor, project, release, "production", config(true), Approvals.token(project, release, "production", 0, config(true)))
                .then().statusCode(200);
        AuditEvent suspect = TestEvents.flagEvents(project, release, 2).get(1);
        String id = freeze(freezer, project, null, "INC-6").then().statusCode(201).extract().path("id");

        // turning the kill switch on again, or changing anything else with it, is not break-glass
        toggle(editor, project, kill, "staging", true).then().statusCode(423);
        toggle(editor, project, kill, "production", false).then().statusCode(200).body("enabled", equalTo(false))
                .body("frozen.id", equalTo(id));
        // a person cannot take the revert path; monitor-service's exact revert passes
        revert(editor, project, release, withoutVersion(suspect.previousState()), suspect.eventId()).then().statusCode(423);
        revert(monitor, project, release, withoutVersion(suspect.previousState()), suspect.eventId()).then().statusCode(200)
                .body("enabled", equalTo(false));

        AuditEvent brake = TestEvents.flagEvents(project, kill, 3).get(2);
        assertThat(brake.scope().path("break_glass").asBoolean()).isTrue();
        assertThat(brake.scope().path("freeze").path("id").asText()).isEqualTo(id);
        assertThat(brake.scope().path("freeze").path("exempt").asText()).isEqualTo("break_glass");
        AuditEvent reverted = TestEvents.flagEvents(project, release, 3).get(2);
        assertThat(reverted.action()).isEqualTo("flag.reverted");
        assertThat(reverted.scope().path("freeze").path("exempt").asText()).isEqualTo("revert");
        lift(freezer, project, id, "done").then().statusCode(200);
    }

    private static String project() {
        return "frz-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Response freeze(String token, String project, String environment, String reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("reason", reason);
        if (environment != null) {
            body.put("environment", environment);
        }
        if (reason.startsWith("INC-")) {
            body.put("ticket", reason.split(":")[0]);
        }
        return freezeBody(token, project, body);
    }

    private static Response freezeBody(String token, String project, Map<String, ?> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/v1/projects/{p}/freezes", project);
    }

    static Response lift(String token, String project, String id, String reason) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("reason", reason))
                .post("/api/v1/projects/{p}/freezes/{id}/lift", project, id);
    }

    private static Response toggle(String token, String project, String key, String environment, boolean enabled) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).header("X-Correlation-Id", "t-" + key)
                .body(Map.of("enabled", enabled, "reason", "incident 7"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/{e}/toggle", project, key, environment);
    }

    private static Response put(String token, String project, String key, String environment, JsonNode config, String approval) {
        RequestSpecification request = given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-Correlation-Id", "change-" + key).body(Map.of("config", config, "reason", "release"));
        if (approval != null) {
            request.header(io.flagledger.contract.approval.ApprovalTokens.HEADER, approval);
        }
        return request.put("/api/v1/projects/{p}/flags/{k}/environments/{e}", project, key, environment);
    }

    private static Response revert(String token, String project, String key, JsonNode config, String eventId) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-Correlation-Id", eventId).header(ProtectedWrite.REVERT_HEADER, eventId).header("If-Match", "\"1\"")
                .body(Map.of("config", config, "reason", "auto-revert: change followed by errors"))
                .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", project, key, "production");
    }

    private static String newFlag(String token, String project, String kind) {
        String key = kind.replace("-", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Flag " + key, "kind", kind))
                .post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
        return key;
    }

    private static ObjectNode config(boolean enabled) {
        ObjectNode config = EventJson.mapper().createObjectNode();
        config.put("enabled", enabled).put("offVariation", "off").putObject("fallthrough").put("variation", "on");
        return config;
    }

    private static JsonNode withoutVersion(JsonNode state) {
        ObjectNode copy = state.deepCopy();
        copy.remove("version");
        return copy;
    }
}
