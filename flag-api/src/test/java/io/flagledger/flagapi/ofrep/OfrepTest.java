package io.flagledger.flagapi.ofrep;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OfrepTest {

    /** Every OFREP answer these tests receive is checked against the protocol's schemas. */
    @org.junit.jupiter.api.BeforeEach
    void validated() {
        OfrepSchema.install();
    }


    @Test
    void evaluatesWithAnSdkKeyFromTheSnapshot() {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> evaluate(sdkKey, key, Map.of("targetingKey", "u1", "country", "NL"))
                .then().statusCode(200)
                .body("key", equalTo(key), "value", equalTo(true), "variant", equalTo("on"),
                        "reason", equalTo("TARGETING_MATCH"), "metadata.version", equalTo(1)));
        evaluate(sdkKey, key, Map.of("targetingKey", "u1", "country", "DE")).then().statusCode(200)
                .body("value", equalTo(false), "reason", equalTo("DEFAULT"));
        given().header("X-API-Key", sdkKey).contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "u1")))
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(200);
    }

    @Test
    void errorsUseOfrepCodes() {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> evaluate(sdkKey, key, Map.of("targetingKey", "u")).then().statusCode(200));
        evaluate(sdkKey, "no-such-flag", Map.of("targetingKey", "u")).then().statusCode(404)
                .body("errorCode", equalTo("FLAG_NOT_FOUND"), "key", equalTo("no-such-flag"));
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).body("{\"context\": [1]}")
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(400).body("errorCode", equalTo("PARSE_ERROR"));
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).body("{not json")
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(400).body("errorCode", equalTo("PARSE_ERROR"));
        // A context an event could not carry (non-finite number, control character): INVALID_CONTEXT, single and bulk.
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).body("{\"context\": {\"targetingKey\": \"u\", \"n\": 1e400}}")
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(400)
                .body("errorCode", equalTo("INVALID_CONTEXT"), "key", equalTo(key), "errorDetails", equalTo("context.n: must be a finite number"));
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).body("{\"context\": {\"targetingKey\": \"u\\u0000\"}}")
                .post("/ofrep/v1/evaluate/flags").then().statusCode(400)
                .body("errorCode", equalTo("INVALID_CONTEXT"), "errorDetails", equalTo("context.targetingKey: contains the control character U+0000 at index 1"));
        evaluate("fl-s-not-a-key", key, Map.of()).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of())).post("/ofrep/v1/evaluate/flags/{k}", key)
                .then().statusCode(401);
        // A key of another environment does not see this environment's configuration.
        String devKey = OfrepFixtures.issueKey("development", "server");
        evaluate(devKey, key, Map.of("targetingKey", "u1", "country", "NL")).then().statusCode(200).body("reason", equalTo("DISABLED"));
    }

    @Test
    void bulkEvaluationSupportsEtags() {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        Map<String, Object> body = Map.of("context", Map.of("targetingKey", "u9", "country", "NL"));
        String etag = await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> given().auth().oauth2(sdkKey).contentType(ContentType.JSON)
                .body(body).post("/ofrep/v1/evaluate/flags").then().statusCode(200)
                .body("flags.key", hasItem(key)).header("ETag", notNullValue()).extract().header("ETag"), e -> e != null);
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).header("If-None-Match", etag).body(body)
                .post("/ofrep/v1/evaluate/flags").then().statusCode(304);
        // A different context is a different answer.
        given().auth().oauth2(sdkKey).contentType(ContentType.JSON).header("If-None-Match", etag)
                .body(Map.of("context", Map.of("targetingKey", "u9", "country", "DE")))
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200).header("ETag", not(equalTo(etag)));
    }

    @Test
    void sdkKeysAreShownOnceAndCanBeRevoked() {
        String admin = KeycloakResource.tokenFor("admin");
        String key = OfrepFixtures.flagWithCountryRule("staging");
        Map<String, Object> issued = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/{p}/environments/staging/sdk-keys", OfrepFixtures.PROJECT)
                .then().statusCode(201).header("Cache-Control", "no-store").extract().as(Map.class);
        String secret = (String) issued.get("key");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> evaluate(secret, key, Map.of("targetingKey", "u")).then().statusCode(200));
        given().auth().oauth2(admin).get("/api/v1/projects/{p}/environments/staging/sdk-keys", OfrepFixtures.PROJECT)
                .then().statusCode(200).body("id", hasItem(issued.get("id")))
                .body(not(org.hamcrest.Matchers.containsString(secret)));
        given().auth().oauth2(admin).delete("/api/v1/projects/{p}/environments/staging/sdk-keys/{id}", OfrepFixtures.PROJECT, issued.get("id"))
                .then().statusCode(204);
        evaluate(secret, key, Map.of("targetingKey", "u")).then().statusCode(401);
        // Only flag admins manage keys.
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/{p}/environments/staging/sdk-keys", OfrepFixtures.PROJECT).then().statusCode(403);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "root"))
                .post("/api/v1/projects/{p}/environments/staging/sdk-keys", OfrepFixtures.PROJECT).then().statusCode(400);
    }

    @Test
    void rolloutWithoutTargetingKeyIsAnOfrepError() {
        String key = OfrepFixtures.flagWithRollout("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> evaluate(sdkKey, key, Map.of("targetingKey", "u1"))
                .then().statusCode(200).body("reason", equalTo("SPLIT")));
        evaluate(sdkKey, key, Map.of("country", "NL")).then().statusCode(400).body("errorCode", equalTo("TARGETING_KEY_MISSING"));
    }

    static io.restassured.response.Response evaluate(String sdkKey, String key, Map<String, Object> context) {
        return given().auth().oauth2(sdkKey).contentType(ContentType.JSON).body(Map.of("context", context))
                .post("/ofrep/v1/evaluate/flags/{k}", key);
    }
}
