package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.createSegment;
import static io.flagledger.approval.Fixtures.segmentDefinition;
import static io.flagledger.approval.Fixtures.token;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.awaitState;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.decide;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.approval.ApprovalClaims;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Change requests for a segment's definition: same policies and duties as flags, applied with a segment token. */
@QuarkusTest
class SegmentChangeRequestTest {

    private static final String P = "shop";
    private static final String PROD = "production";

    @Test
    void aProductionSegmentChangeNeedsTwoApproversAndIsAppliedWithASegmentToken() {
        String segment = Fixtures.seedSegment(P, PROD, 3, segmentDefinition(List.of("user-1", "user-2"), List.of()));
        // reordered members are no change; user-3 added and user-9 excluded are
        ObjectNode proposed = segmentDefinition(List.of("user-3", "user-2", "user-1"), List.of("user-9"));
        String id = file(segment, PROD, proposed)
                .body("target", equalTo("segment"))
                .body("segment", equalTo(segment))
                .body("flag", nullValue())
                .body("baseVersion", equalTo(3))
                .body("state", equalTo("pending"))
                .body("policy.name", equalTo("default-protected"))
                .body("approvals.required", equalTo(2))
                .body("diff.path", equalTo(List.of("included[user-3]", "excluded[user-9]")))
                .body("changeSha256", equalTo(ApprovalClaims.changeHashOf(proposed)))
                .extract().path("id");

        decide("requester", id, "approvals").statusCode(403).contentType("application/problem+json");
        decide("approver1", id, "approvals").statusCode(200).body("state", equalTo("pending"));
        assertThat(Fixtures.segmentWrites(P, PROD, segment)).isZero();
        decide("approver2", id, "approvals").statusCode(200).body("state", equalTo("approved"));

        awaitState(id, "applied").body("appliedVersion", equalTo(4));
        assertThat(Fixtures.segmentWrites(P, PROD, segment)).isEqualTo(1);
        JsonNode stored = Fixtures.fakeSegment(P, PROD, segment);
        assertThat(stored.path("version").asLong()).isEqualTo(4);
        assertThat(stored.path("definition")).isEqualTo(proposed);
        JsonNode claims = Fixtures.segmentApproval(P, PROD, segment);
        assertThat(claims.path("segment").asText()).isEqualTo(segment);
        assertThat(claims.has("flag") && !claims.get("flag").isNull()).as("a segment token names no flag").isFalse();
        assertThat(claims.path("base_version").asLong()).isEqualTo(3);
        assertThat(claims.path("change_request_id").asText()).isEqualTo(id);
        assertThat(claims.path("approvers")).hasSize(2);

        List<AuditEvent> events = Fixtures.events(e -> segment.equals(e.scope() == null ? null : e.scope().path("segment").asText(null)), 5);
        assertThat(events).extracting(AuditEvent::action).containsExactly("change_request.created",
                "change_request.approval_added", "change_request.approval_added", "change_request.approved",
                "change_request.applied");
        for (AuditEvent e : events) {
            assertThat(e.scope().path("target").asText()).isEqualTo("segment");
            assertThat(e.flagId()).isNull();
            assertThat(e.environment()).isEqualTo(PROD);
            assertThat(e.newState().path("change_request_id").asText()).isEqualTo(id);
        }
        assertThat(events.get(0).scope().path("proposed_definition")).isEqualTo(proposed);
    }

    @Test
    void aNewSegmentIsBasedOnVersionZeroAndUnprotectedEnvironmentsNeedNoApproval() {
        String segment = "s-new-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        ObjectNode proposed = segmentDefinition(List.of("user-42"), List.of());
        String id = file(segment, "staging", proposed).body("baseVersion", equalTo(0)).body("state", equalTo("approved"))
                .body("diff.path", equalTo(List.of("included[user-42]", "rules")))
                .body("policy.name", equalTo("default")).extract().path("id");
        awaitState(id, "applied").body("appliedVersion", equalTo(1));
        assertThat(Fixtures.fakeSegment(P, "staging", segment).path("definition")).isEqualTo(proposed);
        // the list can be filtered by segment
        given().auth().oauth2(token("viewer")).queryParam("segment", segment).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", equalTo(List.of(id))).body("items[0].target", equalTo("segment"));
    }

    @Test
    void aSegmentChangedSinceTheBaseVersionSupersedesTheRequestWhichCanBeRebased() {
        String segment = Fixtures.seedSegment(P, PROD, 1, segmentDefinition(List.of("user-1"), List.of()));
        String id = file(segment, PROD, segmentDefinition(List.of("user-1", "user-2"), List.of())).extract().path("id");
        decide("approver1", id, "approvals");
        // someone else's approved change moves the segment to version 2 meanwhile
        Fixtures.putSegment(P, PROD, segment, 2, segmentDefinition(List.of("user-7"), List.of()));
        decide("approver2", id, "approvals").body("state", equalTo("approved"));
        awaitState(id, "superseded").body("lastApplyError", containsString("segment changed to version 2"));
        assertThat(Fixtures.segmentWrites(P, PROD, segment)).isZero();

        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Map.of("definition", segmentDefinition(List.of("user-7", "user-2"), List.of()), "baseVersion", 2))
                .put("/api/v1/change-requests/" + id + "/proposal")
                .then().statusCode(200).body("state", equalTo("pending")).body("baseVersion", equalTo(2))
                .body("revision", equalTo(2)).body("approvals.counted", equalTo(0))
                .body("diff.path", equalTo(List.of("included[user-2]")));
    }

    @Test
    void aDefinitionFlagApiRefusesFailsForGood() {
        String segment = Fixtures.seedSegment(P, "staging", 1, segmentDefinition(List.of("user-1"), List.of()));
        ObjectNode invalid = Fixtures.JSON.createObjectNode().put("included", "user-1,user-2");
        String id = file(segment, "staging", invalid).extract().path("id");
        awaitState(id, "failed").body("lastApplyError", containsString("400"));
        assertThat(Fixtures.segmentWrites(P, "staging", segment)).isZero();
    }

    @Test
    void malformedSegmentRequestsAreProblemDetails() {
        ObjectNode definition = segmentDefinition(List.of("user-1"), List.of());
        String segment = Fixtures.seedSegment(P, PROD, 5, definition);

        ObjectNode both = createSegment(P, segment, PROD, segmentDefinition(List.of("user-2"), List.of()));
        both.put("flag", "checkout");
        post(both).statusCode(400).contentType("application/problem+json").body("detail", containsString("exactly one target"));
        ObjectNode neither = createSegment(P, segment, PROD, definition);
        neither.remove("segment");
        post(neither).statusCode(400).body("detail", containsString("exactly one target"));
        ObjectNode withConfig = createSegment(P, segment, PROD, segmentDefinition(List.of("user-2"), List.of()));
        withConfig.set("config", Fixtures.config(true, 1));
        post(withConfig).statusCode(400).body("detail", containsString("'definition', not a 'config'"));
        ObjectNode missing = createSegment(P, segment, PROD, definition);
        missing.remove("definition");
        post(missing).statusCode(400).body("detail", containsString("definition"));
        post(createSegment(P, segment, PROD, segmentDefinition(List.of("user-2"), List.of())).put("baseVersion", 4))
                .statusCode(409).body("detail", containsString("segment is at version 5"));
        post(createSegment(P, segment, PROD, segmentDefinition(List.of("user-1"), List.of())))
                .statusCode(409).body("detail", containsString("nothing to approve"));
        // "proposed" is accepted for the definition
        ObjectNode aliased = createSegment(P, segment, PROD, segmentDefinition(List.of("user-1", "user-2"), List.of()));
        aliased.set("proposed", aliased.remove("definition"));
        post(aliased).statusCode(201).body("diff.path", equalTo(List.of("included[user-2]")));
        // filing is an editor's job
        given().auth().oauth2(token("approver1")).contentType(ContentType.JSON)
                .body(createSegment(P, segment, PROD, segmentDefinition(List.of("user-3"), List.of())).toString())
                .post("/api/v1/change-requests").then().statusCode(403);
    }

    private static ValidatableResponse file(String segment, String environment, JsonNode definition) {
        return post(createSegment(P, segment, environment, definition)).statusCode(201);
    }

    private static ValidatableResponse post(ObjectNode body) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(body.toString())
                .post("/api/v1/change-requests").then();
    }
}
