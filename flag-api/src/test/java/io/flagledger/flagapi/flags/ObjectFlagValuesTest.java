package io.flagledger.flagapi.flags;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An object flag's values are JSON objects (OpenFeature's structure): arrays and scalars are refused with 400 naming
 * {@code variations[i].value}. An object flag stored while arrays were still accepted keeps serving its values and can
 * be toggled, but its targeting is not rewritten onto them (a config replacement is refused the same way).
 */
@QuarkusTest
class ObjectFlagValuesTest {

    private static final String PROJECT = "objects";
    private static final String PROBLEM = "application/problem+json";

    @Inject
    Pool pool;

    private final String editor = KeycloakResource.tokenFor("requester");

    @Test
    void arraysAndScalarsAreNotObjects() {
        create(List.of(Map.of("theme", "dark"), List.of("a", "b")))
                .statusCode(400).contentType(PROBLEM)
                .body("errors.field", equalTo(List.of("variations[1].value")))
                .body("errors[0].message", containsString("is not a JSON object (an object flag)"));
        create(List.of("dark", 3))
                .statusCode(400).contentType(PROBLEM)
                .body("errors.field", equalTo(List.of("variations[0].value", "variations[1].value")));
        create(List.of(List.of(), Map.of()))
                .statusCode(400).body("errors.field", equalTo(List.of("variations[0].value")));
        create(List.of(Map.of("theme", "dark"), Map.of("theme", "light", "sizes", List.of(1, 2))))
                .statusCode(201).body("type", equalTo("object"));
    }

    @Test
    void aStoredArrayValuedObjectFlagKeepsServingButItsTargetingIsNotRewritten() {
        String key = "legacy-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Legacy", "type", "object", "variations", List.of(
                        Map.of("name", "list", "value", Map.of("x", 1)), Map.of("name", "plain", "value", Map.of("y", 2)))))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        replace(key, "list").statusCode(200);
        // As an object flag created before arrays were refused was stored (a new metadata version, so the snapshot,
        // told by the NOTIFY trigger, takes the row as changed).
        pool.preparedQuery("update flag set variations = $1, metadata_version = metadata_version + 1 where project = $2 and flag_key = $3")
                .execute(Tuple.of("[{\"name\":\"list\",\"value\":[1,2]},{\"name\":\"plain\",\"value\":{\"y\":2}}]", PROJECT, key))
                .await().atMost(Duration.ofSeconds(10));
        String sdkKey = OfrepFixtures.issueKey(PROJECT, "staging", "server");
        // without the OFREP schema filter other tests install: the schema has no arrays, which is why they are refused now
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().noFilters().header("Authorization", "Bearer " + sdkKey)
                .contentType(ContentType.JSON).body("{\"context\":{\"targetingKey\":\"u\"}}")
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(200).body("value", equalTo(List.of(1, 2))));

        replace(key, "plain").statusCode(400).contentType(PROBLEM)
                .body("errors.field", equalTo(List.of("variations[0].value")))
                .body("errors[0].message", containsString("variation 'list' is not a JSON object"));
        // switching it off (and on again) stays possible
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key)
                .then().statusCode(200).body("enabled", equalTo(false));
        // and a flag of another type is not affected by the check
        String plain = "plain-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", plain, "name", "Plain"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        replace(plain, "on").statusCode(200);
    }

    private ValidatableResponse create(List<Object> values) {
        String key = "obj-" + UUID.randomUUID().toString().substring(0, 8);
        return given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Object", "type", "object", "variations",
                        List.of(Map.of("name", "a", "value", values.get(0)), Map.of("name", "b", "value", values.get(1)))))
                .post("/api/v1/projects/{p}/flags", PROJECT).then();
    }

    private ValidatableResponse replace(String key, String serve) {
        return given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("config", Map.of("enabled", true, "offVariation", serve, "fallthrough", Map.of("variation", serve))))
                .put("/api/v1/projects/{p}/flags/{k}/environments/staging", PROJECT, key).then();
    }
}
