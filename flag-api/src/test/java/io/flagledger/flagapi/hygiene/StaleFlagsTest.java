package io.flagledger.flagapi.hygiene;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StaleFlagsTest {

    @Test
    void listsPageByCursorWithoutGapsOrRepeats() {
        String editor = KeycloakResource.tokenFor("requester");
        String project = "paging-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String key = "flag-" + i;
            given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "F" + i))
                    .post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
            created.add(key);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().auth().oauth2(KeycloakResource.tokenFor("viewer")).queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/projects/{p}/flags", project).then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("items")).hasSizeLessThanOrEqualTo(2);
            seen.addAll(page.getList("items.key"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created);
        given().auth().oauth2(editor).queryParam("limit", 0).get("/api/v1/projects/{p}/flags", project).then().statusCode(400);
        given().auth().oauth2(editor).queryParam("limit", 5000).get("/api/v1/projects/{p}/flags", project).then().statusCode(400);
    }

    @Test
    void expiredFlagsAreReportedWithOwnerAndLastEvaluation() {
        String editor = KeycloakResource.tokenFor("requester");
        String project = OfrepFixtures.PROJECT;
        String key = "expired-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Old experiment", "kind", "experiment", "owner", "team-checkout",
                        "expiresAt", Instant.now().minus(Duration.ofDays(3)).toString()))
                .post("/api/v1/projects/{p}/flags", project).then().statusCode(201);
        String fresh = OfrepFixtures.flagWithCountryRule("staging");

        JsonPath report = stale(project);
        assertThat(report.getList("items.key")).contains(key).doesNotContain(fresh);
        Map<String, Object> item = report.getMap("items.find { it.key == '" + key + "' }");
        assertThat(item.get("owner")).isEqualTo("team-checkout");
        assertThat(item.get("reasons")).isEqualTo(List.of("expired"));
        assertThat(item.get("lastEvaluatedAt")).isNull();

        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        given().header("Authorization", "Bearer " + sdkKey).contentType(ContentType.JSON)
                .body(Map.of("context", Map.of("targetingKey", "u-1")))
                .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                stale(project).getMap("items.find { it.key == '" + key + "' }").get("lastEvaluatedAt") != null);
        assertThat(((Number) stale(project).getMap("items.find { it.key == '" + key + "' }").get("evaluations")).longValue())
                .isEqualTo(1);
    }

    @Test
    void servesOneVariationMeansEveryoneGetsTheSameAnswer() {
        var on = new io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig(true, "off", List.of(), List.of(),
                io.flagledger.flagapi.evaluation.FlagModel.Serve.of("on"));
        assertThat(StaleFlags.servesOneVariation(on)).isTrue();
        assertThat(StaleFlags.servesOneVariation(on.withEnabled(false))).isFalse();
        var split = new io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig(true, "off", List.of(), List.of(),
                io.flagledger.flagapi.evaluation.FlagModel.Serve.split(new io.flagledger.flagapi.evaluation.FlagModel.Rollout(null,
                        List.of(new io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation("on", 99_000),
                                new io.flagledger.flagapi.evaluation.FlagModel.WeightedVariation("off", 1_000)))));
        assertThat(StaleFlags.servesOneVariation(split)).isFalse();
    }

    private static JsonPath stale(String project) {
        return given().auth().oauth2(KeycloakResource.tokenFor("viewer")).queryParam("stale", true)
                .get("/api/v1/projects/{p}/flags", project).then().statusCode(200).body("items", org.hamcrest.Matchers.notNullValue())
                .extract().jsonPath();
    }
}
