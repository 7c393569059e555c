package io.flagledger.flagapi.ofrep;

import static io.restassured.RestAssured.given;

import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Flags and SDK keys the evaluation tests need, created through the real API. */
public final class OfrepFixtures {

    public static final String PROJECT = "ofrep";

    private OfrepFixtures() {
    }

    public static String flagWithCountryRule(String environment) {
        return flagWithCountryRule(environment, false);
    }

    /** A flag serving "on" to country NL, "off" to everyone else; client keys see it only if {@code clientVisible}. */
    public static String flagWithCountryRule(String environment, boolean clientVisible) {
        return flag(environment, clientVisible, Map.of("id", "nl", "clauses",
                List.of(Map.of("attribute", "country", "operator", "in", "values", List.of("NL"))), "serve", Map.of("variation", "on")),
                Map.of("variation", "off"));
    }

    static String flagWithRollout(String environment) {
        return flag(environment, false, null, Map.of("rollout", Map.of("variations",
                List.of(Map.of("variation", "on", "weight", 50_000), Map.of("variation", "off", "weight", 50_000)))));
    }

    public static String issueKey(String environment, String kind) {
        return issueKey(PROJECT, environment, kind);
    }

    public static String issueKey(String project, String environment, String kind) {
        return (String) issue(project, environment, kind).get("key");
    }

    /** The issued key as the API answers it: id, key (the secret), prefix, kind, project, environment. */
    public static Map<String, Object> issue(String environment, String kind) {
        return issue(PROJECT, environment, kind);
    }

    public static Map<String, Object> issue(String project, String environment, String kind) {
        return given().auth().oauth2(KeycloakResource.tokenFor("admin")).contentType(ContentType.JSON).body(Map.of("kind", kind))
                .post("/api/v1/projects/{p}/environments/{e}/sdk-keys", project, environment)
                .then().statusCode(201).extract().as(new io.restassured.common.mapper.TypeRef<Map<String, Object>>() { });
    }

    public static void revoke(String environment, Object id) {
        given().auth().oauth2(KeycloakResource.tokenFor("admin"))
                .delete("/api/v1/projects/{p}/environments/{e}/sdk-keys/{id}", PROJECT, environment, id).then().statusCode(204);
    }

    private static String flag(String environment, boolean clientVisible, Map<String, Object> rule, Map<String, Object> fallthrough) {
        String editor = KeycloakResource.tokenFor("requester");
        String key = "eval-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Evaluated", "clientVisible", clientVisible))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        Map<String, Object> config = Map.of("enabled", true, "offVariation", "off",
                "rules", rule == null ? List.of() : List.of(rule), "fallthrough", fallthrough);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("config", config))
                .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, key, environment).then().statusCode(200);
        return key;
    }
}
