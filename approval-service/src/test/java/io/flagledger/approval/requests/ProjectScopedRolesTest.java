package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.create;
import static io.flagledger.approval.Fixtures.token;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.awaitState;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.decide;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.flagledger.approval.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * Roles scoped to a project (realm users editor-a with flag-editor@team-a, approver-a with flag-approver@team-a):
 * they file, see and decide team-a's requests and nothing of project shop's.
 */
@QuarkusTest
class ProjectScopedRolesTest {

    private static final String TEAM_A = "team-a";
    private static final String OTHER = "shop";

    @Test
    void anApproverOfProjectACannotApproveProjectBsRequest() {
        String flag = Fixtures.seedFlag(OTHER, null);
        String id = given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(OTHER, flag, "production", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");

        decide("approver-a", id, "approvals").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("shop/production"));
        decide("approver-a", id, "rejections").statusCode(403);
        // nor does it see the request, alone or in a list
        given().auth().oauth2(token("approver-a")).get("/api/v1/change-requests/" + id).then().statusCode(403)
                .body("detail", containsString("shop/production"));
        assertThat(given().auth().oauth2(token("approver-a")).queryParam("project", OTHER).get("/api/v1/change-requests")
                .then().statusCode(200).extract().jsonPath().getList("items.id", String.class)).isEmpty();
        ChangeRequestFlowTest.get(id).body("state", equalTo("pending")).body("approvals.counted", equalTo(0));
        assertThat(Fixtures.writes(OTHER, flag)).isZero();
    }

    @Test
    void projectScopedEditorAndApproverWorkInTheirOwnProject() {
        String flag = Fixtures.seedFlag(TEAM_A, null);
        String refused = Fixtures.seedFlag(OTHER, null);
        given().auth().oauth2(token("editor-a")).contentType(ContentType.JSON)
                .body(create(OTHER, refused, "production", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(403).body("detail", containsString("shop/production"));

        String id = given().auth().oauth2(token("editor-a")).contentType(ContentType.JSON)
                .body(create(TEAM_A, flag, "production", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        decide("approver-a", id, "approvals").statusCode(200).body("approvals.counted", equalTo(1))
                .body("decisions.roles.flatten()", hasItem("flag-approver"));
        given().auth().oauth2(token("approver-a")).queryParam("project", TEAM_A).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", hasItem(id));
        decide("approver1", id, "approvals").statusCode(200).body("state", equalTo("approved"));
        awaitState(id, "applied");
        assertThat(Fixtures.writes(TEAM_A, flag)).isEqualTo(1);
        assertThat(Fixtures.writes(OTHER, refused)).isZero();
    }
}
