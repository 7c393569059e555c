package io.flagledger.approval.requests;

import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With FLAGLEDGER_OIDC_AUDIENCE set, a token minted for other clients of the same realm (the CLI's tokens name
 * flag-api and audit-service) is refused, however valid its signature and roles.
 */
@QuarkusTest
@TestProfile(AudienceTest.RequireOwnAudience.class)
class AudienceTest {

    public static class RequireOwnAudience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("FLAGLEDGER_OIDC_AUDIENCE", "approval-service");
        }
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        given().auth().oauth2(token("requester")).get("/api/v1/change-requests")
                .then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(token("approval-service")).get("/api/v1/change-requests").then().statusCode(401);
    }
}
