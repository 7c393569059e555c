package io.flagledger.flagapi.history;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** State rebuilt from events equals the projection, now and at every point of a randomized history. */
@QuarkusTest
class ReplayTest {

    private static final String PROJECT = "replay";
    private static final List<String> ENVIRONMENTS = List.of("development", "staging", "production");

    @Test
    void stateAtEveryEventEqualsTheProjectionThen() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String editor = KeycloakResource.tokenFor("requester");
        String viewer = KeycloakResource.tokenFor("viewer");
        String key = "replay-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Replay", "tags", List.of("checkout")))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);

        List<JsonNode> projections = new ArrayList<>();
        projections.add(read(viewer, key, null));
        for (int i = 0; i < 30; i++) {
            String environment = ENVIRONMENTS.get(random.nextInt(ENVIRONMENTS.size()));
            JsonNode current = environment(projections.get(projections.size() - 1), environment);
            long version = current.path("version").asLong();
            if (random.nextInt(6) == 0) {
                given().auth().oauth2(editor).contentType(ContentType.JSON)
                        .body(Map.of("owner", "team-" + random.nextInt(5), "tags", List.of("t" + random.nextInt(3))))
                        .patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(200);
            } else if (random.nextBoolean() && !environment.equals("production")) {
                given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"" + version + "\"")
                        .body(Map.of("enabled", random.nextBoolean()))
                        .post("/api/v1/projects/{p}/flags/{k}/environments/{e}/toggle", PROJECT, key, environment)
                        .then().statusCode(200);
            } else {
                ObjectNode config = randomConfig(random);
                var request = given().auth().oauth2(editor).contentType(ContentType.JSON)
                        .header("If-Match", "\"" + version + "\"").header("X-Correlation-Id", "replay-" + i)
                        .body(Map.of("config", config, "reason", "step " + i));
                if (environment.equals("production")) {
                    request.header(ApprovalTokens.HEADER, Approvals.token(PROJECT, key, environment, version, config));
                }
                request.put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, key, environment).then().statusCode(200);
            }
            projections.add(read(viewer, key, null));
        }

        JsonNode events = EventJson.mapper().readTree(given().auth().oauth2(viewer)
                .get("/api/v1/projects/{p}/flags/{k}/events", PROJECT, key).then().statusCode(200).extract().asString());
        assertThat(events).as("one event per command (seed %d)", seed).hasSize(projections.size());
        for (int i = 0; i < projections.size(); i++) {
            String at = events.get(i).path("timestamp").asText();
            assertThat(read(viewer, key, at)).as("state at event %d (%s), seed %d", i, at, seed).isEqualTo(projections.get(i));
        }
        given().auth().oauth2(viewer).queryParam("at", "2000-01-01T00:00:00Z")
                .get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(404);
        given().auth().oauth2(viewer).queryParam("at", "yesterday")
                .get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(400);
    }

    private static ObjectNode randomConfig(Random random) {
        ObjectNode config = EventJson.mapper().createObjectNode();
        config.put("enabled", random.nextBoolean()).put("offVariation", random.nextBoolean() ? "off" : "on");
        ObjectNode fallthrough = config.putObject("fallthrough");
        if (random.nextBoolean()) {
            fallthrough.put("variation", random.nextBoolean() ? "on" : "off");
        } else {
            int on = random.nextInt(100_001);
            var shares = fallthrough.putObject("rollout").putArray("variations");
            shares.addObject().put("variation", "on").put("weight", on);
            shares.addObject().put("variation", "off").put("weight", 100_000 - on);
        }
        if (random.nextBoolean()) {
            var rule = config.putArray("rules").addObject();
            rule.put("id", "r" + random.nextInt(100));
            rule.putArray("clauses").addObject().put("attribute", "country").put("operator", "in")
                    .putArray("values").add("NL").add("DE");
            rule.putObject("serve").put("variation", "on");
        }
        if (random.nextBoolean()) {
            config.putArray("targets").addObject().put("variation", "on").putArray("values").add("user-" + random.nextInt(10));
        }
        return config;
    }

    private static JsonNode environment(JsonNode flag, String name) {
        for (JsonNode environment : flag.path("environments")) {
            if (environment.path("environment").asText().equals(name)) {
                return environment;
            }
        }
        throw new AssertionError("no environment " + name);
    }

    private static JsonNode read(String token, String key, String at) throws Exception {
        var request = given().auth().oauth2(token);
        if (at != null) {
            request.queryParam("at", at);
        }
        return EventJson.mapper().readTree(request.get("/api/v1/projects/{p}/flags/{k}", PROJECT, key)
                .then().statusCode(200).extract().asString());
    }
}
