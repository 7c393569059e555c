package io.flagledger.audit.legalhold;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LegalHoldApiTest {

    private static final String PATH = "/api/v1/audit/legal-holds";

    @Inject
    Pool pool;

    @Test
    void onlyAuditAdminsMayTouchHolds() {
        given().get(PATH).then().statusCode(401).contentType("application/problem+json");
        given().contentType("application/json").body("{\"reason\":\"x\",\"actor\":\"a\"}").post(PATH).then().statusCode(401);
        String auditor = KeycloakResource.tokenFor("auditor");
        given().auth().oauth2(auditor).get(PATH).then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(auditor).contentType("application/json").body("{\"reason\":\"x\",\"actor\":\"a\"}").post(PATH)
                .then().statusCode(403);
        given().auth().oauth2(auditor).delete(PATH + "/" + UUID.randomUUID()).then().statusCode(403);
    }

    @Test
    void placeListGetAndLiftOnce() {
        String admin = KeycloakResource.tokenFor("admin");
        String flag = "hold-" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath placed = given().auth().oauth2(admin).contentType("application/json").header("X-Correlation-Id", "case-" + flag)
                .body(Map.of("reason", "regulator inquiry", "project", "shop", "flag", flag,
                        "from", "2026-01-01T00:00:00Z", "to", "2027-01-01T00:00:00+01:00"))
                .post(PATH).then().statusCode(201).header("Location", containsString(PATH + "/"))
                .body("active", equalTo(true)).body("flag", equalTo(flag)).body("placedEventId", notNullValue())
                .extract().jsonPath();
        String id = placed.getString("id");

        given().auth().oauth2(admin).get(PATH).then().statusCode(200).body("id", hasItem(id));
        given().auth().oauth2(admin).queryParam("active", "true").get(PATH).then().statusCode(200).body("id", hasItem(id));
        given().auth().oauth2(admin).queryParam("active", "false").get(PATH).then().statusCode(200).body("id", not(hasItem(id)));
        given().auth().oauth2(admin).get(PATH + "/" + id).then().statusCode(200).body("reason", equalTo("regulator inquiry"))
                .body("to", containsString("2026-12-31T23:00"));

        // The placed event is in the ledger with the caller's correlation id, scoped to the flag.
        var row = pool.preparedQuery("select action, source_service, project, flag_id, correlation_id from ledger_entry where event_id = $1")
                .execute(Tuple.of(UUID.fromString(placed.getString("placedEventId")))).await().indefinitely().iterator().next();
        assertThat(row.getString("action")).isEqualTo("legal_hold.placed");
        assertThat(row.getString("source_service")).isEqualTo("audit-service");
        assertThat(row.getString("flag_id")).isEqualTo(flag);
        assertThat(row.getString("correlation_id")).isEqualTo("case-" + flag);

        given().auth().oauth2(admin).delete(PATH + "/" + id).then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("reason"));
        given().auth().oauth2(admin).queryParam("reason", "inquiry closed").delete(PATH + "/" + id).then().statusCode(200)
                .body("active", equalTo(false)).body("liftReason", equalTo("inquiry closed")).body("liftedEventId", notNullValue());
        given().auth().oauth2(admin).queryParam("reason", "again").delete(PATH + "/" + id).then().statusCode(409)
                .contentType("application/problem+json");
        given().auth().oauth2(admin).queryParam("active", "false").get(PATH).then().statusCode(200).body("id", hasItem(id));
    }

    @Test
    void badRequestsAreProblems() {
        String admin = KeycloakResource.tokenFor("admin");
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":").post(PATH)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("Malformed JSON"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":\"x\",\"from\":\"yesterday\"}").post(PATH)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("from"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":\"x\",\"actor\":[1]}").post(PATH)
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":\"x\"}").post(PATH)
                .then().statusCode(400).body("detail", containsString("at least one of"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"actor\":\"bob\"}").post(PATH)
                .then().statusCode(400).body("errors.field", hasItem("reason"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"reason\":\"x\",\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}").post(PATH)
                .then().statusCode(400).body("detail", containsString("before"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":\"x\",\"project\":\"shop\"}").post(PATH)
                .then().statusCode(400).body("detail", containsString("flag"));
        given().auth().oauth2(admin).queryParam("active", "maybe").get(PATH).then().statusCode(400);
        given().auth().oauth2(admin).get(PATH + "/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(admin).get(PATH + "/not-a-uuid").then().statusCode(404);
        given().auth().oauth2(admin).queryParam("reason", "x").delete(PATH + "/" + UUID.randomUUID()).then().statusCode(404);
    }
}
