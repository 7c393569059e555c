package io.flagledger.flagapi.segments;

import static io.flagledger.flagapi.TestEvents.events;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Segments stored, versioned and audited, and used by evaluation through segmentMatch. */
@QuarkusTest
class SegmentResourceTest {

    private static final String PROJECT = OfrepFixtures.PROJECT;

    @Test
    void aFlagTargetsASegmentAndSeesItsChanges() {
        String editor = KeycloakResource.tokenFor("requester");
        String segment = "beta-" + UUID.randomUUID().toString().substring(0, 8);
        putSegment(editor, segment, List.of("user-1"), null).then().statusCode(200)
                .header("ETag", containsString("1")).body("version", equalTo(1)).body("definition.included", equalTo(List.of("user-1")));

        String flag = "seg-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", flag, "name", "Segmented"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        Map<String, Object> rule = Map.of("id", "beta", "clauses",
                List.of(Map.of("attribute", "targetingKey", "operator", "segmentMatch", "values", List.of(segment))),
                "serve", Map.of("variation", "on"));
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("config", Map.of("enabled", true, "offVariation", "off", "rules", List.of(rule),
                        "fallthrough", Map.of("variation", "off"))))
                .put("/api/v1/projects/{p}/flags/{k}/environments/staging", PROJECT, flag).then().statusCode(200);
        String sdkKey = OfrepFixtures.issueKey("staging", "server");

        await().atMost(Duration.ofSeconds(10)).until(() -> variant(sdkKey, flag, "user-1").equals("on"));
        assertThat(variant(sdkKey, flag, "user-2")).isEqualTo("off");

        putSegment(editor, segment, List.of("user-1", "user-2"), "\"1\"").then().statusCode(200).body("version", equalTo(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> variant(sdkKey, flag, "user-2").equals("on"));
        putSegment(editor, segment, List.of(), "\"1\"").then().statusCode(412);
        putSegment(editor, "new-" + segment, List.of(), "\"3\"").then().statusCode(412);

        List<AuditEvent> audited = events("flag.changes", e -> e.scope() != null && segment.equals(e.scope().path("segment").asText()), 2);
        assertThat(audited).extracting(AuditEvent::action).containsExactly("segment.created", "segment.updated");
        assertThat(audited.get(1).previousState().path("included")).hasSize(1);
        assertThat(audited.get(1).newState().path("included")).hasSize(2);
    }

    @Test
    void segmentsAreReadableByViewersAndWritableOnlyByEditorsOfThatEnvironment() {
        String segment = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        putSegment(KeycloakResource.tokenFor("viewer"), segment, List.of("a"), null).then().statusCode(403);
        putSegment(KeycloakResource.tokenFor("stager"), segment, List.of("a"), null).then().statusCode(200);
        given().auth().oauth2(KeycloakResource.tokenFor("stager")).contentType(ContentType.JSON)
                .body(Map.of("definition", Map.of("included", List.of("a"))))
                .put("/api/v1/projects/{p}/environments/development/segments/{s}", PROJECT, segment).then().statusCode(403);
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON)
                .body(Map.of("definition", Map.of("included", List.of("a"))))
                .put("/api/v1/projects/{p}/environments/production/segments/{s}", PROJECT, segment)
                .then().statusCode(400).body("detail", containsString("reason"));
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON)
                .body("{\"definition\": [1, 2]}")
                .put("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, segment)
                .then().statusCode(400).body("errors[0].field", equalTo("definition"));
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON)
                .body("{\"definition\": {\"included\": \"not-a-list\"}}")
                .put("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, segment)
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(KeycloakResource.tokenFor("viewer"))
                .get("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, segment)
                .then().statusCode(200).body("definition.included", equalTo(List.of("a")));
        given().auth().oauth2(KeycloakResource.tokenFor("viewer"))
                .get("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, "missing-" + segment)
                .then().statusCode(404);
        given().get("/api/v1/projects/{p}/environments/staging/segments", PROJECT).then().statusCode(401);
    }

    @Test
    void aProtectedEnvironmentTakesASegmentChangeOnlyWithAnApprovalForExactlyThatDefinition() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String segment = "vip-" + UUID.randomUUID().toString().substring(0, 8);
        String definition = "{\"included\": [\"u-1\", \"u-2\"]}";
        JsonNode sent = new ObjectMapper().readTree(definition);

        protectedPut(editor, segment, definition, null).then().statusCode(428)
                .contentType("application/problem+json").body("detail", containsString("approval-service"));
        protectedPut(editor, segment, definition, Approvals.segmentToken(PROJECT, segment, "production", 0,
                new ObjectMapper().readTree("{\"included\": [\"u-1\"]}"))).then().statusCode(403).body("detail", containsString("change_sha256"));
        protectedPut(editor, segment, definition, Approvals.token(PROJECT, segment, "production", 0, sent))
                .then().statusCode(403).body("detail", containsString("flag"));
        protectedPut(editor, segment, definition, Approvals.segmentToken(PROJECT, segment, "production", 1, sent))
                .then().statusCode(412);

        String token = Approvals.segmentToken(PROJECT, segment, "production", 0, sent);
        protectedPut(editor, segment, definition, token).then().statusCode(200).body("version", equalTo(1));
        // The same token cannot be used twice: the segment has moved past its base version.
        protectedPut(editor, segment, definition, token).then().statusCode(412).body("detail", containsString("rebased"));

        AuditEvent created = events("flag.changes", e -> e.scope() != null && segment.equals(e.scope().path("segment").asText()), 1).get(0);
        assertThat(created.environment()).isEqualTo("production");
        assertThat(created.scope().path("approval").path("base_version").asLong()).isEqualTo(0);
        assertThat(created.scope().path("approval").path("approvers")).hasSize(2);
        assertThat(created.newState().path("version").asLong()).isEqualTo(1);
    }

    private static io.restassured.response.Response protectedPut(String token, String segment, String definition, String approval) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).header("X-Correlation-Id", "CHG-" + segment)
                .body("{\"definition\": " + definition + ", \"reason\": \"VIP cohort for the launch\"}");
        if (approval != null) {
            request.header(ApprovalTokens.HEADER, approval);
        }
        return request.put("/api/v1/projects/{p}/environments/production/segments/{s}", PROJECT, segment);
    }

    private static io.restassured.response.Response putSegment(String token, String segment, List<String> included, String ifMatch) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("definition", Map.of("included", included), "reason", "beta cohort"));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return request.put("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, segment);
    }

    private static String variant(String sdkKey, String flag, String user) {
        return given().header("Authorization", "Bearer " + sdkKey).contentType(ContentType.JSON)
                .body(Map.of("context", Map.of("targetingKey", user)))
                .post("/ofrep/v1/evaluate/flags/{k}", flag).then().statusCode(200).extract().path("variant");
    }
}
