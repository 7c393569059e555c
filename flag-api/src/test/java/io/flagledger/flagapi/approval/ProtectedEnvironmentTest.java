package io.flagledger.flagapi.approval;

import static io.flagledger.flagapi.TestEvents.flagEvents;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The protected-environment gate against real Keycloak tokens, PostgreSQL and Kafka. */
@QuarkusTest
class ProtectedEnvironmentTest {

    private static final String PROBLEM = "application/problem+json";
    private static final String PROJECT = "shop";

    @Test
    void aDirectWriteToProductionGets428WithDirections() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "release");
        write(editor, key, "production", on(), null).then().statusCode(428).contentType(PROBLEM)
                .body("detail", containsString("change request"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", "t-" + key)
                .body(Map.of("enabled", true, "reason", "now"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/production/toggle", PROJECT, key)
                .then().statusCode(428).contentType(PROBLEM);
        write(editor, key, "staging", on(), null).then().statusCode(200);
    }

    @Test
    void anApprovedChangeIsAppliedOnceAndTheEventRecordsTheApproval() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "release");
        String token = Approvals.token(PROJECT, key, "production", 0, on());
        write(editor, key, "production", on(), token).then().statusCode(200).body("enabled", equalTo(true), "version", equalTo(1));
        // The same approval cannot be used twice: the version it was granted against is gone.
        write(editor, key, "production", on(), token).then().statusCode(412).contentType(PROBLEM)
                .body("detail", containsString("rebased"));

        AuditEvent applied = flagEvents(PROJECT, key, 2).get(1);
        assertThat(applied.environment()).isEqualTo("production");
        assertThat(applied.scope().path("approval").path("change_request_id").asText()).startsWith("cr-");
        assertThat(applied.scope().path("approval").path("approvers")).hasSize(2);
        // the approvers' policy window travels with the change: the monitor judges after-hours by it
        assertThat(applied.scope().path("approval").path("apply_window").asText()).isEqualTo(Approvals.APPLY_WINDOW);
        // the channel comes from the token's client (flagledger-cli: a person through the API), not from a header
        assertThat(applied.request().channel()).isEqualTo(io.flagledger.contract.Channel.API);
    }

    /** A declared channel the token contradicts is refused, naming the header; one that agrees changes nothing. */
    @Test
    void aChannelHeaderCannotOverrideHowTheCallerAuthenticated() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "release");
        given().auth().oauth2(editor).contentType("application/json").header("If-Match", "\"0\"")
                .header("X-Flagledger-Channel", "automation").body(java.util.Map.of("enabled", true, "reason", "pretend to be a bot"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key)
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("X-Flagledger-Channel"));
        given().auth().oauth2(editor).contentType("application/json").header("If-Match", "\"0\"")
                .header("X-Flagledger-Channel", "api").body(java.util.Map.of("enabled", true, "reason", "honest"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key)
                .then().statusCode(200);
    }

    @Test
    void aTokenForAnythingElseIsRefused() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "release");
        String forOtherConfig = Approvals.token(PROJECT, key, "production", 0, off());
        write(editor, key, "production", on(), forOtherConfig).then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString("differs from the approved change"));
        write(editor, key, "production", on(), Approvals.token(PROJECT, key, "staging", 0, on()))
                .then().statusCode(403).body("detail", containsString("environment staging"));
        write(editor, key, "production", on(), Approvals.token(PROJECT, "another-flag", "production", 0, on()))
                .then().statusCode(403).body("detail", containsString("flag"));
        write(editor, key, "production", on(), Approvals.token(PROJECT, key, "production", 0, on(), Instant.now().minusSeconds(1)))
                .then().statusCode(403).body("detail", containsString("expired"));
        write(editor, key, "production", on(), "garbage.token").then().statusCode(403).contentType(PROBLEM);
        // A token on a toggle is a client error: approvals bind a full config.
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", "c-" + key)
                .header(ApprovalTokens.HEADER, Approvals.token(PROJECT, key, "production", 0, on()))
                .body(Map.of("enabled", true, "reason", "r"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/production/toggle", PROJECT, key)
                .then().statusCode(400).contentType(PROBLEM);
        given().auth().oauth2(KeycloakResource.tokenFor("viewer")).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key)
                .then().statusCode(200).body("environments.find { it.environment == 'production' }.version", equalTo(0));
    }

    @Test
    void aKillSwitchCanBeTurnedOffWithoutApprovalAndIsMarkedBreakGlass() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "kill-switch");
        write(editor, key, "production", on(), Approvals.token(PROJECT, key, "production", 0, on()))
                .then().statusCode(200);
        toggle(editor, key, "production", false).then().statusCode(200).body("enabled", equalTo(false));
        // Only off is an emergency; turning it back on goes through approval.
        toggle(editor, key, "production", true).then().statusCode(428);
        // A release flag is not a kill switch.
        String release = newFlag(editor, "release");
        write(editor, release, "production", on(), Approvals.token(PROJECT, release, "production", 0, on()))
                .then().statusCode(200);
        toggle(editor, release, "production", false).then().statusCode(428);

        AuditEvent brake = flagEvents(PROJECT, key, 3).get(2);
        assertThat(brake.action()).isEqualTo("flag.toggled");
        assertThat(brake.scope().path("break_glass").asBoolean()).isTrue();
    }

    @Test
    void automationRevertsExactlyTheLatestChangeAndNeverARevert() {
        String editor = KeycloakResource.tokenFor("requester");
        String monitor = KeycloakResource.serviceToken("monitor-service");
        String key = newFlag(editor, "release");
        write(editor, key, "production", on(), Approvals.token(PROJECT, key, "production", 0, on()))
                .then().statusCode(200);
        AuditEvent suspect = flagEvents(PROJECT, key, 2).get(1);
        JsonNode before = withoutVersion(suspect.previousState());

        // A person cannot use the revert path in production, and a revert must restore exactly the previous state.
        revert(editor, key, before, suspect.eventId(), "1").then().statusCode(403).contentType(PROBLEM);
        // flag-reverter may only revert: a plain write, or a toggle without a revert reference, is refused.
        write(monitor, key, "staging", on(), null).then().statusCode(403).contentType(PROBLEM);
        revert(monitor, key, off().put("offVariation", "on"), suspect.eventId(), "1").then().statusCode(409);
        revert(monitor, key, before, UUID.randomUUID().toString(), "1").then().statusCode(404);
        revert(monitor, key, before, suspect.eventId(), "1").then().statusCode(200).body("enabled", equalTo(false), "version", equalTo(2));

        AuditEvent revert = flagEvents(PROJECT, key, 3).get(2);
        assertThat(revert.action()).isEqualTo("flag.reverted");
        assertThat(revert.scope().path("revert_of").asText()).isEqualTo(suspect.eventId());
        assertThat(revert.correlationId()).isEqualTo(suspect.eventId());
        assertThat(revert.actorType().name()).isEqualTo("SERVICE");
        // Reverting the revert would loop; the stale version is caught too.
        revert(monitor, key, withoutVersion(revert.previousState()), revert.eventId(), "2").then().statusCode(409)
                .body("detail", containsString("loop"));
        revert(monitor, key, before, suspect.eventId(), "2").then().statusCode(412);
    }

    @Test
    void environmentScopedEditorsWriteOnlyTheirEnvironment() {
        String stager = KeycloakResource.tokenFor("stager");
        String key = newFlag(KeycloakResource.tokenFor("requester"), "release");
        toggle(stager, key, "staging", true).then().statusCode(200);
        toggle(stager, key, "development", true).then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString("flag-editor@" + PROJECT + "/development"));
        given().auth().oauth2(stager).contentType(ContentType.JSON).body(Map.of("key", "scoped-" + key, "name", "x"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(403);
        given().auth().oauth2(stager).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(200);
    }

    private static ObjectNode on() {
        return config(true);
    }

    private static ObjectNode off() {
        return config(false);
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

    private static String url(String key, String environment) {
        return "/api/v1/projects/" + PROJECT + "/flags/" + key + "/environments/" + environment;
    }

    private static io.restassured.response.Response write(String token, String key, String environment, JsonNode config,
                                                          String approval) {
        RequestSpecification request = given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-Correlation-Id", "change-" + key)
                .body(Map.of("config", config, "reason", "release the new checkout"));
        if (approval != null) {
            request.header(ApprovalTokens.HEADER, approval);
        }
        return request.put(url(key, environment));
    }

    private static io.restassured.response.Response revert(String token, String key, JsonNode config, String eventId, String version) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-Correlation-Id", eventId).header(ProtectedWrite.REVERT_HEADER, eventId).header("If-Match", "\"" + version + "\"")
                .body(Map.of("config", config, "reason", "auto-revert: change followed by errors"))
                .put(url(key, "production"));
    }

    private static io.restassured.response.Response toggle(String token, String key, String environment, boolean enabled) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).header("X-Correlation-Id", "t-" + key)
                .body(Map.of("enabled", enabled, "reason", "incident 7"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/{e}/toggle", PROJECT, key, environment);
    }

    private static String newFlag(String token, String kind) {
        String key = kind.replace("-", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Flag " + key, "kind", kind))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        return key;
    }
}
