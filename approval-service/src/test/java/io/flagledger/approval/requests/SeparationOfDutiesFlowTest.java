package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.token;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.decide;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.file;
import static io.flagledger.approval.requests.ChangeRequestFlowTest.get;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.flagledger.approval.Fixtures;
import io.flagledger.testsupport.keycloak.KeycloakUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, items 3, 5 and 6 against the real stack: revision authors may not decide, decisions are bound to the
 * revision reviewed, and two accounts of one person (same verified email, created in Keycloak for the test) are one
 * person.
 */
@QuarkusTest
class SeparationOfDutiesFlowTest {

    private static final String P = "shop";

    @Test
    void everyRevisionRecordsItsAuthorAndARevisionClearsEarlierApprovals() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000))
                .body("revisionAuthor.revision", equalTo(1))
                .body("revisionAuthor.authorName", containsString("Rita"))
                .body("revisionAuthor.authorPerson", equalTo("requester@flagledger.test"))
                .body("revisions.size()", equalTo(1)).extract().path("id");
        decide("approver1", id, "approvals").statusCode(200).body("approvals.counted", equalTo(1));

        given().auth().oauth2(token("approver2")).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("config", config(true, 5000), "comment", "5% first"))
                .put("/api/v1/change-requests/" + id + "/proposal").then().statusCode(200)
                .body("revision", equalTo(2)).body("approvals.counted", equalTo(0)).body("state", equalTo("pending"));

        get(id).body("revisionAuthor.revision", equalTo(2))
                .body("revisionAuthor.authorPerson", equalTo("approver2@flagledger.test"))
                .body("revisions.revision", equalTo(List.of(1, 2)))
                .body("revisions.authorPerson", equalTo(List.of("requester@flagledger.test", "approver2@flagledger.test")))
                .body("revisions[1].comment", equalTo("5% first"))
                // the earlier approval stays on record but counts for revision 1 only
                .body("decisions.revision", equalTo(List.of(1)))
                .body("decisions[0].approverPerson", equalTo("approver1@flagledger.test"));
        // approver1 approved revision 1, not this one: they must (and may) approve again
        decide("approver1", id, "approvals").statusCode(200).body("approvals.counted", equalTo(1));
        // the approver who wrote revision 2 may neither approve nor reject (the requester holds no approver role here;
        // twoAccountsWithOneVerifiedEmailAreOnePerson files as an approver)
        decide("approver2", id, "approvals").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("Separation of duties"));
        decide("approver2", id, "rejections").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("You wrote revision 2"));
        // and the request is not waiting for approver2 any more
        given().auth().oauth2(token("approver2")).queryParam("awaitingMe", true).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", not(hasItem(id)));
    }

    @Test
    void decisionsNeedTheRevisionReviewed() {
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        for (String what : List.of("approvals", "rejections")) {
            decide(token("approver1"), id, what, null).statusCode(428).contentType("application/problem+json")
                    .body("detail", containsString("If-Match"));
        }
        // the requester revises between approver1's read (revision 1) and approver1's POST
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Map.of("config", config(true, 20000))).put("/api/v1/change-requests/" + id + "/proposal")
                .then().statusCode(200).body("revision", equalTo(2));
        decide(token("approver1"), id, "approvals", "\"1\"").statusCode(412).contentType("application/problem+json")
                .body("detail", containsString("revision 2"));
        get(id).body("approvals.counted", equalTo(0)).body("decisions", equalTo(List.of()));
        decide(token("approver1"), id, "approvals", "\"2\"").statusCode(200).body("approvals.counted", equalTo(1));
    }

    @Test
    void twoAccountsWithOneVerifiedEmailAreOnePerson() {
        String email = "twin-" + UUID.randomUUID().toString().substring(0, 8) + "@flagledger.test";
        KeycloakUsers.User work = KeycloakUsers.create("twin-work", email, true, "flag-viewer", "flag-editor", "flag-approver");
        KeycloakUsers.User home = KeycloakUsers.create("twin-home", email, true, "flag-viewer", "flag-approver");

        // one account files, the other may not approve it
        String flag = Fixtures.seedFlag(P, null);
        String filed = given().auth().oauth2(work.token()).contentType(ContentType.JSON)
                .body(Fixtures.create(P, flag, "production", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201)
                .body("revisionAuthor.authorPerson", equalTo(email)).extract().path("id");
        decide(work.token(), filed, "approvals", "\"1\"").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("Separation of duties")).body("detail", containsString("You filed it"));
        decide(home.token(), filed, "approvals", "\"1\"").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("You filed it")).body("detail", containsString("another account of yours"));
        given().auth().oauth2(home.token()).queryParam("awaitingMe", true).get("/api/v1/change-requests")
                .then().statusCode(200).body("items.id", not(hasItem(filed)));

        // someone else files; both accounts approve: the person counts once
        String other = Fixtures.seedFlag(P, null);
        String id = file(other, "production", config(true, 10000)).extract().path("id");
        decide(work.token(), id, "approvals", "\"1\"").statusCode(200).body("approvals.counted", equalTo(1))
                .body("decisions[0].approverPerson", equalTo(email));
        decide(home.token(), id, "approvals", "\"1\"").statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("another account of yours"));
        get(id).body("state", equalTo("pending")).body("approvals.counted", equalTo(1));
    }

    @Test
    void anAccountWithoutAVerifiedEmailCanNeitherDecideNorFile() {
        KeycloakUsers.User unverified = KeycloakUsers.create("unverified",
                "unverified-" + UUID.randomUUID().toString().substring(0, 8) + "@flagledger.test", false,
                "flag-viewer", "flag-editor", "flag-approver");
        String flag = Fixtures.seedFlag(P, null);
        String id = file(flag, "production", config(true, 10000)).extract().path("id");
        decide(unverified.token(), id, "approvals", "\"1\"").statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("'email'"));
        given().auth().oauth2(unverified.token()).contentType(ContentType.JSON)
                .body(Fixtures.create(P, flag, "staging", config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(403).body("detail", containsString("'email'"));
        get(id).body("decisions", equalTo(List.of())).body("revisionAuthor.authorId", not(nullValue()));
    }
}
