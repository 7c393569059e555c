package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.create;
import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.testsupport.keycloak.KeycloakUsers;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventVerifier;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChangeRequestFlowTest {

    private static final String P = "shop";

    @Test
    void productionChangeNeedsTwoDifferentApproversThenIsAppliedOnceWithSignedEvents() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000))
                .body("state", equalTo("pending"))
                .body("baseVersion", equalTo(1))
                .body("approvals.required", equalTo(2))
                .body("policy.name", equalTo("default-protected"))
                .body("diff.path", hasItem("enabled"))
                .body("diff.path", hasItem("fallthrough.rollout.variations[on].weight"))
                .extract().path("id");

        // the requester holds no approver role here; SeparationOfDutiesTest covers requesters who do
        decide("requester", id, "approvals").statusCode(403).contentType("application/problem+json");
        decide("approver1", id, "approvals").statusCode(200).body("state", equalTo("pending"))
                .body("approvals.counted", equalTo(1));
        decide("approver1", id, "approvals").statusCode(409).contentType("application/problem+json");
        assertThat(Fixtures.writes(P, flag)).isZero();

        decide("approver2", id, "approvals").statusCode(200).body("state", equalTo("approved"));
        awaitState(id, "applied").body("appliedVersion", equalTo(2));
        assertThat(Fixtures.writes(P, flag)).isEqualTo(1);
        assertThat(Fixtures.fakeFlag(P, flag).at("/environments/production/config/enabled").asBoolean()).isTrue();

        List<AuditEvent> events = Fixtures.events(e -> flag.equals(e.flagId()), 5);
        assertThat(events).extracting(AuditEvent::action).containsExactly("change_request.created",
                "change_request.approval_added", "change_request.approval_added", "change_request.approved",
                "change_request.applied");
        EventVerifier verifier = new EventVerifier(Map.of(SigningKeyResource.KEY_ID, SigningKeyResource.keyPair().getPublic()));
        for (AuditEvent e : events) {
            assertThat(e.sourceService()).isEqualTo("approval-service");
            assertThat(e.project()).isEqualTo(P);
            assertThat(e.environment()).isEqualTo("production");
            assertThat(e.correlationId()).isEqualTo("CHG-" + flag);
            assertThat(e.newState().path("change_request_id").asText()).isEqualTo(id);
            assertThatCode(() -> verifier.verify(e)).as("signature of %s", e.action()).doesNotThrowAnyException();
        }
        assertThat(events.get(4).previousState().path("state").asText()).isEqualTo("approved");
        assertThat(events.get(4).newState().path("state").asText()).isEqualTo("applied");
    }

    @Test
    void newRequestsAndDecisionsAreSentToTheChatWebhook() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        decide("approver1", id, "rejections").statusCode(200).body("state", equalTo("rejected"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get(Fixtures.fakeFlagApi() + "/__fake/webhooks")
                .then().body("findAll { it.flag == '" + flag + "' }.action",
                        equalTo(List.of("change_request.created", "change_request.rejected"))));
        given().get(Fixtures.fakeFlagApi() + "/__fake/webhooks").then()
                .body("find { it.flag == '" + flag + "' }.text", containsString(P + "/" + flag + " in production is pending"))
                .body("find { it.flag == '" + flag + "' }.change_request_id", equalTo(id));
    }

    @Test
    void highRiskNeedsAProductAndASecurityApprover() {
        String flag = Fixtures.seedFlag(P, "high");
        String id = file(flag, "production", config(true, 50000))
                .body("policy.name", equalTo("high-risk-production"))
                .body("policy.requiredRoles", equalTo(List.of("product-approver", "security-approver")))
                .body("approvals.missingRoles", equalTo(List.of("product-approver", "security-approver")))
                .extract().path("id");
        decide("approver1", id, "approvals").body("approvals.missingRoles", equalTo(List.of("security-approver")));
        decide("approver2", id, "approvals").body("state", equalTo("approved"));
        awaitState(id, "applied");
    }

    @Test
    void unprotectedEnvironmentsNeedNoApproval() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "staging", config(true, 100000)).body("state", equalTo("approved")).extract().path("id");
        awaitState(id, "applied");
        assertThat(Fixtures.writes(P, flag)).isEqualTo(1);
    }

    @Test
    void editingTheProposalResetsApprovalsAndOldRevisionsCannotBeApproved() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        decide("approver1", id, "approvals").body("approvals.counted", equalTo(1));

        given().auth().oauth2(token("approver2")).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("config", config(true, 5000), "comment", "5% first"))
                .put("/api/v1/change-requests/" + id + "/proposal")
                .then().statusCode(200).header("ETag", containsString("2"))
                .body("revision", equalTo(2)).body("approvals.counted", equalTo(0)).body("state", equalTo("pending"));

        given().auth().oauth2(token("approver1")).contentType(ContentType.JSON).header("If-Match", "\"1\"").body("{}")
                .post("/api/v1/change-requests/" + id + "/approvals")
                .then().statusCode(412).contentType("application/problem+json");
        // the approver who edited wrote revision 2: like the requester, they may not approve what they wrote
        decide("approver2", id, "approvals").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("Separation of duties")).body("detail", containsString("revision 2"));
        decide("approver1", id, "approvals").body("approvals.counted", equalTo(1));
        decide(KeycloakUsers.create("approver3", "approver3-" + flag + "@flagledger.test", true, "flag-viewer", "flag-approver")
                .token(), id, "approvals", "\"2\"").statusCode(200).body("state", equalTo("approved"));
        awaitState(id, "applied");
        assertThat(Fixtures.fakeFlag(P, flag).at("/environments/production/config/fallthrough/rollout/variations/0/weight").asInt())
                .isEqualTo(5000);
    }

    @Test
    void aLostResponseIsRetriedAndReconciledNotAppliedTwice() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 20000)).extract().path("id");
        decide("approver1", id, "approvals");
        Fixtures.fakeMode("lose-response");
        decide("approver2", id, "approvals").body("state", equalTo("approved"));
        awaitState(id, "applied").body("applyAttempts", equalTo(2)).body("appliedVersion", equalTo(2));
        assertThat(Fixtures.writes(P, flag)).isEqualTo(1);
        List<AuditEvent> events = Fixtures.events(e -> flag.equals(e.flagId())
                && e.action().startsWith("change_request.appl"), 2);
        assertThat(events).extracting(AuditEvent::action).containsExactly("change_request.apply_failed", "change_request.applied");
        assertThat(events.get(1).reason()).contains("already applied");
    }

    @Test
    void flagApiDownIsRetriedUntilItIsBack() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 30000)).extract().path("id");
        decide("approver1", id, "approvals");
        Fixtures.fakeMode("down");
        try {
            decide("approver2", id, "approvals");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> get(id).body("lastApplyError", containsString("503")));
            get(id).body("state", equalTo("approved"));
        } finally {
            Fixtures.fakeMode("normal");
        }
        awaitState(id, "applied");
        assertThat(Fixtures.writes(P, flag)).isEqualTo(1);
    }

    @Test
    void aFlagChangedSinceTheBaseVersionSupersedesTheRequestWhichCanBeRebased() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        decide("approver1", id, "approvals");
        // someone else changes production meanwhile (version 1 -> 2)
        JsonNode moved = Fixtures.fakeFlag(P, flag);
        ((com.fasterxml.jackson.databind.node.ObjectNode) moved.at("/environments/production")).put("version", 2)
                .set("config", config(false, 1000));
        given().body(moved.toString()).put(Fixtures.fakeFlagApi() + "/__fake/flags/" + P + "/" + flag).then().statusCode(204);
        decide("approver2", id, "approvals").body("state", equalTo("approved"));
        awaitState(id, "superseded").body("lastApplyError", containsString("rebase"));
        assertThat(Fixtures.writes(P, flag)).isZero();

        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Map.of("config", config(true, 10000), "baseVersion", 2))
                .put("/api/v1/change-requests/" + id + "/proposal")
                .then().statusCode(200).body("state", equalTo("pending")).body("baseVersion", equalTo(2))
                .body("revision", equalTo(2)).body("approvals.counted", equalTo(0));
    }

    @Test
    void onlyTheRequesterWithdrawsAndAWithdrawnRequestCannotBeApproved() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        given().auth().oauth2(token("sre")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/change-requests/" + id + "/withdrawal").then().statusCode(403);
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(Map.of("reason", "not needed"))
                .post("/api/v1/change-requests/" + id + "/withdrawal").then().statusCode(200).body("state", equalTo("withdrawn"));
        decide("approver1", id, "approvals").statusCode(409).body("detail", containsString("withdrawn"));
    }

    @Test
    void listsWhatAwaitsMeAndWhatIFiled() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        given().auth().oauth2(token("approver1")).queryParam("awaitingMe", true).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", hasItem(id));
        given().auth().oauth2(token("requester")).queryParam("awaitingMe", true).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.not(hasItem(id)));
        given().auth().oauth2(token("requester")).queryParam("mine", true).queryParam("flag", flag)
                .get("/api/v1/change-requests").then().statusCode(200).body("items.id", equalTo(List.of(id)));
        decide("approver1", id, "approvals");
        given().auth().oauth2(token("approver1")).queryParam("awaitingMe", true).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.not(hasItem(id)));
    }

    @Test
    void badRequestsAreProblemDetails() {
        String flag = Fixtures.seedFlag(P, null);
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body("{\"project\": ")
                .post("/api/v1/change-requests").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Malformed JSON"));
        var noCorrelation = create(P, flag, "production", config(true, 1));
        noCorrelation.remove("correlationId");
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(noCorrelation.toString())
                .post("/api/v1/change-requests").then().statusCode(400).body("detail", containsString("correlation id"));
        var stale = create(P, flag, "production", config(true, 1)).put("baseVersion", 7);
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(stale.toString())
                .post("/api/v1/change-requests").then().statusCode(409).body("detail", containsString("version 1"));
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, "no-such-flag", "production", config(true, 1)).toString())
                .post("/api/v1/change-requests").then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, flag, "production", config(false, 0)).toString())
                .post("/api/v1/change-requests").then().statusCode(409).body("detail", containsString("nothing to approve"));
        given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/not-a-uuid").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(token("viewer")).queryParam("state", "nonsense").get("/api/v1/change-requests")
                .then().statusCode(400).contentType("application/problem+json");
    }

    static ValidatableResponse file(String flag, String environment, JsonNode config) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, flag, environment, config).toString())
                .post("/api/v1/change-requests").then().statusCode(201).header("Location", notNullValue());
    }

    /** A decision on the revision the decider just read (If-Match), as a reviewer makes it. */
    static ValidatableResponse decide(String user, String id, String what) {
        return decide(token(user), id, what, Fixtures.revisionTag(id));
    }

    static ValidatableResponse decide(String token, String id, String what, String ifMatch) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("comment", "looks right"));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return request.post("/api/v1/change-requests/" + id + "/" + what).then();
    }

    static ValidatableResponse get(String id) {
        return given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + id).then().statusCode(200);
    }

    static ValidatableResponse awaitState(String id, String state) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(id).body("state", equalTo(state)));
        return get(id);
    }
}
