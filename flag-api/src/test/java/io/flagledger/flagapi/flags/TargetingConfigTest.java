package io.flagledger.flagapi.flags;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TargetingConfigTest {

    private static final String PROBLEM = "application/problem+json";

    @Test
    void typedFlagGetsRulesAndARollout() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = "theme-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Theme", "kind", "experiment", "type", "string",
                        "variations", List.of(Map.of("name", "light", "value", "light"), Map.of("name", "dark", "value", "dark")),
                        "offVariation", "light", "defaultVariation", "light", "tags", List.of("ui"), "risk", "high"))
                .post("/api/v1/projects/shop/flags")
                .then().statusCode(201)
                .body("kind", equalTo("experiment"), "type", equalTo("string"), "risk", equalTo("high"))
                .body("expiresAt", notNullValue())
                .body("environments[0].config.fallthrough.variation", equalTo("light"));

        Map<String, Object> config = Map.of(
                "enabled", true,
                "offVariation", "light",
                "targets", List.of(Map.of("variation", "dark", "values", List.of("qa-1"))),
                "rules", List.of(Map.of("id", "nl-beta", "clauses",
                        List.of(Map.of("attribute", "country", "operator", "in", "values", List.of("NL"))),
                        "serve", Map.of("rollout", Map.of("variations", List.of(
                                Map.of("variation", "dark", "weight", 10_000), Map.of("variation", "light", "weight", 90_000)))))),
                "fallthrough", Map.of("variation", "light"));
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("config", config, "reason", "10% dark theme in NL"))
                .put("/api/v1/projects/shop/flags/{k}/environments/staging", key)
                .then().statusCode(200)
                .header("ETag", equalTo("\"1\""))
                .body("enabled", equalTo(true))
                .body("config.rules[0].serve.rollout.variations.weight", contains(10_000, 90_000));

        given().auth().oauth2(KeycloakResource.tokenFor("viewer"))
                .get("/api/v1/projects/shop/flags/{k}", key)
                .then().statusCode(200)
                .body("environments.find { it.environment == 'staging' }.config.targets[0].values", contains("qa-1"));
    }

    @Test
    void configurationsTheEvaluatorCouldNotServeAreRefusedFieldByField() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Bad"))
                .post("/api/v1/projects/shop/flags").then().statusCode(201);
        Map<String, Object> config = Map.of(
                "enabled", true,
                "offVariation", "ghost",
                "rules", List.of(
                        Map.of("id", "r", "clauses", List.of(Map.of("attribute", "email", "operator", "matches", "values", List.of("(unclosed"))),
                                "serve", Map.of("variation", "on")),
                        Map.of("id", "r", "clauses", List.of(Map.of("attribute", "age", "operator", "lessThan", "values", List.of("old"))),
                                "serve", Map.of("rollout", Map.of("variations", List.of(Map.of("variation", "on", "weight", 60_000)))))),
                "fallthrough", Map.of("variation", "on", "rollout", Map.of("variations", List.of())));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("config", config))
                .put("/api/v1/projects/shop/flags/{k}/environments/development", key)
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", containsInAnyOrder("offVariation", "fallthrough", "rules[0].clauses[0].values",
                        "rules[1].id", "rules[1].clauses[0].values", "rules[1].serve.rollout.variations"));
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("config", Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("variation", "on"),
                        "rules", List.of(Map.of("id", "x", "clauses", List.of(Map.of("attribute", "a", "operator", "resembles", "values", List.of("b"))),
                                "serve", Map.of("variation", "on"))))))
                .put("/api/v1/projects/shop/flags/{k}/environments/development", key)
                .then().statusCode(400).contentType(PROBLEM);
        // Nothing was stored: the environment is still at version 0.
        given().auth().oauth2(editor).get("/api/v1/projects/shop/flags/{k}", key)
                .then().body("environments.find { it.environment == 'development' }.version", equalTo(0));
    }

    @Test
    void variationsMustMatchTheFlagType() {
        String editor = KeycloakResource.tokenFor("requester");
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", "num-" + UUID.randomUUID().toString().substring(0, 8), "name", "N", "type", "number",
                        "variations", List.of(Map.of("name", "a", "value", 1), Map.of("name", "b", "value", "two"))))
                .post("/api/v1/projects/shop/flags")
                .then().statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo("variations[1].value"),
                        "errors[0].message", equalTo("variation 'b' is not a number (a number flag)"));
        // OpenFeature's integer and float: an integer is whole and fits 32 bits; a float is finite.
        for (Object[] refused : new Object[][] {{"an integer", 2.5, "is not a whole number"},
                {"an integer", 2147483648L, "is out of the integer range [-2147483648, 2147483647]"},
                {"an integer", "2", "is not an integer"}, {"a float", true, "is not a number"}}) {
            String type = ((String) refused[0]).substring(((String) refused[0]).indexOf(' ') + 1);
            given().auth().oauth2(editor).contentType(ContentType.JSON)
                    .body(Map.of("key", "typed-" + UUID.randomUUID().toString().substring(0, 8), "name", "T", "type", type,
                            "variations", List.of(Map.of("name", "a", "value", 1), Map.of("name", "b", "value", refused[1]))))
                    .post("/api/v1/projects/shop/flags")
                    .then().statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo("variations[1].value"),
                            "errors[0].message", equalTo("variation 'b' " + refused[2] + " (" + refused[0] + " flag)"));
        }
        // A 'number' flag becomes integer when every value is whole and in range, else float; 2.0 is the integer 2.
        for (Object[] number : new Object[][] {{List.of(1, 2.0), "integer", List.of(1, 2)}, {List.of(1, 2.5), "float", List.of(1.0f, 2.5f)}}) {
            String key = "numeric-" + UUID.randomUUID().toString().substring(0, 8);
            List<?> values = (List<?>) number[0];
            given().auth().oauth2(editor).contentType(ContentType.JSON)
                    .body(Map.of("key", key, "name", "N", "type", "number",
                            "variations", List.of(Map.of("name", "a", "value", values.get(0)), Map.of("name", "b", "value", values.get(1)))))
                    .post("/api/v1/projects/shop/flags")
                    .then().statusCode(201).body("type", equalTo(number[1]), "variations.value", equalTo(number[2]));
        }
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", "kind-" + UUID.randomUUID().toString().substring(0, 8), "name", "K", "kind", "forever"))
                .post("/api/v1/projects/shop/flags")
                .then().statusCode(400).contentType(PROBLEM).body("detail", org.hamcrest.Matchers.containsString("kind"));
    }
}
