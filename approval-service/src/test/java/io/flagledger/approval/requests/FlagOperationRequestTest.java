package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.token;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.awaitState;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.decide;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.contract.AuditEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Flag-wide operations (archive, restore, a metadata change) go through the same approvals as config changes and are
 * applied through flag-api (the stand-in, which checks the token as flag-api's gate does) with a token bound to the
 * operation, the flag and its metadata version.
 */
@QuarkusTest
class FlagOperationRequestTest {

    private static final String P = "shop";

    @Test
    void anArchiveIsApprovedByTwoPeopleAndAppliedWithATokenForExactlyThatArchive() {
        String flag = Fixtures.seedFlag(P, null);
        ValidatableResponse filed = file(flag, "archive", null).statusCode(201)
                .body("state", equalTo("pending"))
                .body("operation", equalTo("archive"))
                .body("environment", equalTo("*"))
                .body("baseVersion", equalTo(1))
                .body("approvals.required", equalTo(2))
                .body("diff.path", hasItem("archived"));
        String id = filed.extract().path("id");
        String requester = filed.extract().path("requesterId");

        decide("requester", id, "approvals").statusCode(403);
        decide("approver1", id, "approvals").statusCode(200).body("state", equalTo("pending"));
        assertThat(Fixtures.writes(P, flag)).isZero();
        decide("approver2", id, "approvals").statusCode(200).body("state", equalTo("approved"));
        awaitState(id, "applied").body("appliedVersion", equalTo(2));

        assertThat(Fixtures.fakeFlag(P, flag).path("archived").asBoolean()).isTrue();
        JsonNode claims = given().get(Fixtures.fakeFlagApi() + "/__fake/flag-approval/" + P + "/" + flag)
                .then().statusCode(200).extract().as(JsonNode.class);
        assertThat(claims.path("operation").asText()).isEqualTo("archive");
        assertThat(claims.path("environment").asText()).isEqualTo("*");
        assertThat(claims.path("base_version").asLong()).isEqualTo(1);
        assertThat(claims.path("requester").asText()).isEqualTo(requester);
        assertThat(claims.path("approvers")).hasSize(2);

        List<AuditEvent> events = Fixtures.events(e -> flag.equals(e.flagId()), 5);
        assertThat(events).extracting(AuditEvent::action).endsWith("change_request.approved", "change_request.applied");
        // nothing left to approve: the flag is archived already
        file(flag, "archive", null).statusCode(409).contentType("application/problem+json");
    }

    @Test
    void loweringTheRiskNeedsThePolicyOfTheCurrentHigherRisk() {
        String flag = Fixtures.seedFlag(P, "high");
        String id = file(flag, "metadata", Map.of("risk", "low")).statusCode(201)
                .body("policy.name", equalTo("high-risk-production"))
                .body("policy.requiredRoles", equalTo(List.of("product-approver", "security-approver")))
                .body("diff.path", equalTo(List.of("risk")))
                .body("diff.before", equalTo(List.of("high")))
                .body("diff.after", equalTo(List.of("low")))
                .extract().path("id");
        decide("approver1", id, "approvals").statusCode(200).body("approvals.missingRoles", equalTo(List.of("security-approver")));
        decide("approver2", id, "approvals").statusCode(200).body("state", equalTo("approved"));
        awaitState(id, "applied");
        assertThat(Fixtures.fakeFlag(P, flag).path("risk").asText()).isEqualTo("low");
    }

    @Test
    void anOperationRequestIsRefusedWhenItIsMalformed() {
        String flag = Fixtures.seedFlag(P, null);
        Map<String, Object> withEnvironment = body(flag, "archive", null);
        withEnvironment.put("environment", "production");
        post(withEnvironment).statusCode(400).contentType("application/problem+json").body("detail", containsString("environment"));
        file(flag, "metadata", Map.of("expiresAt", "2030-01-01T00:00:00Z")).statusCode(400)
                .body("detail", containsString("metadata.expiresAt"));
        file(flag, "metadata", Map.of("risk", "extreme")).statusCode(400).body("detail", containsString("metadata.risk"));
        file(flag, "delete", null).statusCode(400);
        // a restore of a flag that is not archived changes nothing
        file(flag, "restore", null).statusCode(409);
        Map<String, Object> stale = body(flag, "archive", null);
        stale.put("baseVersion", 7);
        post(stale).statusCode(409).body("detail", containsString("metadata version 1"));
    }

    private static Map<String, Object> body(String flag, String operation, Map<String, Object> metadata) {
        Map<String, Object> body = new HashMap<>(Map.of("project", P, "flag", flag, "operation", operation,
                "reason", "retire " + flag, "correlationId", "CHG-" + flag));
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        return body;
    }

    private static ValidatableResponse file(String flag, String operation, Map<String, Object> metadata) {
        return post(body(flag, operation, metadata));
    }

    private static ValidatableResponse post(Map<String, Object> body) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/change-requests").then();
    }
}
