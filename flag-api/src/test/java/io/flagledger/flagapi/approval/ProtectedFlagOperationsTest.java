package io.flagledger.flagapi.approval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.flagledger.flagapi.TestEvents;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Flag-wide operations change what production serves too: archive and restore (SDKs get FLAG_NOT_FOUND, or the flag
 * again) and lowering the risk (every later change then gets the weaker policy). Each needs an approval token for
 * exactly that operation, flag and metadata version, naming two distinct approvers other than the requester and the
 * caller applying it; without one nothing changes. Real Keycloak tokens, PostgreSQL and Kafka.
 */
@QuarkusTest
class ProtectedFlagOperationsTest {

    private static final String PROBLEM = "application/problem+json";
    private static final String PROJECT = "shop";

    @Test
    void archiveAndRestoreWithoutAnApprovalAre428AndChangeNothing() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "high");
        operation(editor, key, "archive", Map.of("reason", "retire"), null).then().statusCode(428).contentType(PROBLEM)
                .body("detail", containsString("production"))
                .body("detail", containsString("operation 'archive'"))
                .body("detail", containsString("baseVersion 1"));
        operation(editor, key, "archive", Map.of(), Approvals.operationToken(PROJECT, key, "archive", 1, null))
                .then().statusCode(400).contentType(PROBLEM).body("errors.field", hasItem("reason"));
        unchanged(editor, key, false, 1);
        assertThat(events(key)).extracting(AuditEvent::action).containsExactly("flag.created");

        operation(editor, key, "archive", Map.of("reason", "retire"), Approvals.operationToken(PROJECT, key, "archive", 1, null))
                .then().statusCode(200).body("archived", equalTo(true));
        operation(editor, key, "restore", Map.of("reason", "needed again"), null).then().statusCode(428).contentType(PROBLEM);
        unchanged(editor, key, true, 2);
    }

    @Test
    void aTokenForAnotherOperationFlagOrVersionIsRefused() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "high");
        Map<String, String> why = Map.of("reason", "retire");
        operation(editor, key, "archive", why, Approvals.operationToken(PROJECT, key, "restore", 1, null))
                .then().statusCode(403).contentType(PROBLEM).body("detail", containsString("operation restore"));
        operation(editor, key, "archive", why, Approvals.operationToken(PROJECT, "other-flag", "archive", 1, null))
                .then().statusCode(403).body("detail", containsString("flag " + PROJECT + "/other-flag"));
        operation(editor, key, "archive", why, Approvals.operationToken(PROJECT, key, "archive", 0, null))
                .then().statusCode(412).contentType(PROBLEM).body("detail", containsString("rebased"));
        // a token for a config change of production does not archive the flag, and an archive token writes no config
        operation(editor, key, "archive", why, Approvals.token(PROJECT, key, "production", 0, config(true)))
                .then().statusCode(403).body("detail", containsString("not for archive"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", "c-" + key)
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "archive", 1, null))
                .body(Map.of("config", config(true), "reason", "r"))
                .put("/api/v1/projects/{p}/flags/{k}/environments/production", PROJECT, key)
                .then().statusCode(403).body("detail", containsString("operation archive"));
        unchanged(editor, key, false, 1);
    }

    @Test
    void aTokenWithTooFewDistinctApproversOrTheRequesterOrApplierAmongThemIsRefused() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String applier = TestEvents.subjectOf(editor);
        String key = newFlag(editor, "high");
        Map<String, String> why = Map.of("reason", "retire");
        String requester = Approvals.REQUESTER;
        List<List<String>> refused = List.of(
                List.of(),                                   // approved by nobody
                List.of("approver1-sub"),                    // one pair of eyes
                List.of("approver1-sub", "approver1-sub"),   // the same person twice
                List.of("approver1-sub", requester),         // the requester approving their own change
                List.of("approver1-sub", applier));          // the caller applying it
        for (List<String> approvers : refused) {
            String token = Approvals.issue(Approvals.operationClaims(PROJECT, key, "archive", 1, null, approvers, requester));
            operation(editor, key, "archive", why, token).then().statusCode(403).contentType(PROBLEM)
                    .body("detail", containsString("Approval refused"));
        }
        String noRequester = Approvals.issue(Approvals.operationClaims(PROJECT, key, "archive", 1, null,
                Approvals.TWO_APPROVERS, null));
        operation(editor, key, "archive", why, noRequester).then().statusCode(403).body("detail", containsString("requester"));
        // the same rules hold for config changes: zero approvers never writes production
        String nobody = Approvals.issue(new io.flagledger.contract.approval.ApprovalClaims("cr-x", PROJECT, key, "production", 0,
                io.flagledger.contract.approval.ApprovalClaims.changeHashOf(config(true)), List.of(),
                java.time.Instant.now().minusSeconds(1), java.time.Instant.now().plusSeconds(300)).withRequester(requester));
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", "c-" + key)
                .header(ApprovalTokens.HEADER, nobody).body(Map.of("config", config(true), "reason", "r"))
                .put("/api/v1/projects/{p}/flags/{k}/environments/production", PROJECT, key)
                .then().statusCode(403).body("detail", containsString("0 distinct approver(s)"));
        unchanged(editor, key, false, 1);
    }

    @Test
    void anApprovedArchiveIsAppliedAndItsEventNamesTheEnvironmentsAndTheApproval() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "high");
        operation(editor, key, "archive", Map.of("reason", "retire"), Approvals.operationToken(PROJECT, key, "archive", 1, null))
                .then().statusCode(200).body("archived", equalTo(true)).body("metadataVersion", equalTo(2));
        AuditEvent archived = events(key).get(1);
        assertThat(archived.action()).isEqualTo("flag.archived");
        assertThat(archived.reason()).isEqualTo("retire");
        assertThat(archived.scope().path("environments")).extracting(JsonNode::asText)
                .containsExactly("development", "staging", "production");
        assertThat(archived.scope().path("protected_environments")).extracting(JsonNode::asText).containsExactly("production");
        assertThat(archived.scope().path("approval").path("operation").asText()).isEqualTo("archive");
        assertThat(archived.scope().path("approval").path("requester").asText()).isEqualTo(Approvals.REQUESTER);
        assertThat(archived.scope().path("approval").path("approvers")).hasSize(2);
    }

    @Test
    void loweringTheRiskNeedsAnApprovalOfExactlyThatMetadataRaisingItDoesNot() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor, "high");
        patch(editor, key, Map.of("risk", "low", "reason", "not so risky"), null).then().statusCode(428).contentType(PROBLEM)
                .body("detail", containsString("operation 'metadata'"));
        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then()
                .body("risk", equalTo("high")).body("metadataVersion", equalTo(1));
        // other metadata weakens nothing
        patch(editor, key, Map.of("owner", "team-payments", "reason", "handover"), null).then().statusCode(200)
                .body("metadataVersion", equalTo(2));

        ObjectNode lower = EventJson.mapper().createObjectNode().put("risk", "low");
        ObjectNode lowerAndRename = lower.deepCopy().put("name", "Renamed");
        patch(editor, key, Map.of("risk", "low", "name", "Renamed", "reason", "r"),
                Approvals.operationToken(PROJECT, key, "metadata", 2, lower))
                .then().statusCode(403).body("detail", containsString("metadata sent differs"));
        patch(editor, key, Map.of("risk", "low", "reason", "r"), Approvals.operationToken(PROJECT, key, "archive", 2, null))
                .then().statusCode(403);
        patch(editor, key, Map.of("risk", "low", "name", "Renamed", "reason", "reviewed in CHG-9"),
                Approvals.operationToken(PROJECT, key, "metadata", 2, lowerAndRename))
                .then().statusCode(200).body("risk", equalTo("low")).body("name", equalTo("Renamed"));
        // raising it back tightens the policy: no approval needed
        patch(editor, key, Map.of("risk", "high", "reason", "risky after all"), null).then().statusCode(200)
                .body("risk", equalTo("high"));
        // created, owner changed, risk lowered (approved), risk raised
        AuditEvent lowered = events(key).get(2);
        assertThat(lowered.action()).isEqualTo("flag.metadata.updated");
        assertThat(lowered.scope().path("approval").path("operation").asText()).isEqualTo("metadata");
        assertThat(lowered.scope().path("protected_environments")).extracting(JsonNode::asText).containsExactly("production");
    }

    private static void unchanged(String token, String key, boolean archived, int metadataVersion) {
        given().auth().oauth2(token).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(200)
                .body("archived", equalTo(archived)).body("metadataVersion", equalTo(metadataVersion));
    }

    /** The flag's events as flag-api's outbox holds them, oldest first (what it publishes to flag.changes). */
    private static List<AuditEvent> events(String key) {
        String body = given().auth().oauth2(KeycloakResource.tokenFor("requester"))
                .get("/api/v1/projects/{p}/flags/{k}/events", PROJECT, key).then().statusCode(200).extract().asString();
        List<AuditEvent> events = new java.util.ArrayList<>();
        try {
            for (JsonNode event : EventJson.mapper().readTree(body)) {
                events.add(EventJson.parse(event.toString()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return events;
    }

    private static io.restassured.response.Response operation(String token, String key, String operation, Map<String, ?> body,
                                                              String approval) {
        RequestSpecification request = given().auth().oauth2(token).contentType(ContentType.JSON).body(body);
        if (approval != null) {
            request.header(ApprovalTokens.HEADER, approval);
        }
        return request.post("/api/v1/projects/{p}/flags/{k}/" + operation, PROJECT, key);
    }

    private static io.restassured.response.Response patch(String token, String key, Map<String, ?> body, String approval) {
        RequestSpecification request = given().auth().oauth2(token).contentType(ContentType.JSON).body(body);
        if (approval != null) {
            request.header(ApprovalTokens.HEADER, approval);
        }
        return request.patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key);
    }

    private static ObjectNode config(boolean enabled) {
        ObjectNode config = EventJson.mapper().createObjectNode();
        config.put("enabled", enabled).put("offVariation", "off").putObject("fallthrough").put("variation", "on");
        return config;
    }

    private static String newFlag(String token, String risk) {
        String key = "op-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Flag " + key, "risk", risk))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        return key;
    }
}
