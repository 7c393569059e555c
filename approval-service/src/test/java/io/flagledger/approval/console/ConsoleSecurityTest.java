package io.flagledger.approval.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.flagledger.approval.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** What the console promises before anyone signs in; the signed-in pages are driven by the browser test (e2e). */
@QuarkusTest
class ConsoleSecurityTest {

    @Test
    void pagesRedirectToTheIdentityProviderWithPkce() {
        given().redirects().follow(false).get("/console").then().statusCode(302)
                .header("Location", allOf(containsString("/realms/flagledger/protocol/openid-connect/auth"),
                        containsString("client_id=flagledger-console"), containsString("code_challenge_method=S256"),
                        containsString("code_challenge=")));
    }

    @Test
    void consoleResponsesCarryAStrictContentSecurityPolicy() {
        given().get("/console-assets/console.css").then().statusCode(200)
                .header("Content-Security-Policy", allOf(containsString("default-src 'none'"),
                        containsString("frame-ancestors 'none'"), containsString("form-action 'self'"),
                        not(containsString("unsafe-inline"))))
                .header("X-Frame-Options", equalTo("DENY"))
                .header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void theApiDoesNotAcceptConsoleSessionsAndTheConsoleDoesNotAcceptBearerTokens() {
        // a bearer token is no console session: the browser flow starts instead of the action
        given().redirects().follow(false).auth().oauth2(Fixtures.token("approver1"))
                .formParam("revision", "1").post("/console/requests/00000000-0000-0000-0000-000000000000/approve")
                .then().statusCode(302).header("Location", containsString("openid-connect/auth"));
        given().get("/api/v1/change-requests").then().statusCode(401).contentType("application/problem+json");
    }
}
