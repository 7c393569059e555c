package io.flagledger.flagapi.flags;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A change whose audit event the contract would refuse (here a NUL in the reason, which PostgreSQL and the ledger
 * cannot store) is refused as a whole: a 400 naming the field, and the change does not take effect. Whether the
 * edge validation or the outbox's contract check (service-common OutboxRecord) refuses it, never a 5xx and never a
 * change without its event.
 */
@QuarkusTest
class EventContractRefusalTest {

    private static final String PROJECT = OfrepFixtures.PROJECT;

    @Test
    void aChangeWhoseEventBreaksTheContractIs400AndDoesNotTakeEffect() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = OfrepFixtures.flagWithCountryRule("staging");

        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "released\u0000everywhere"))
                .post("/api/v1/projects/{p}/flags/{k}/archive", PROJECT, key)
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("reason"));

        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key)
                .then().statusCode(200).body("archived", equalTo(false)).body("metadataVersion", equalTo(1));
    }
}
