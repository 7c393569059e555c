package io.flagledger.flagapi.flags;

import static io.flagledger.flagapi.TestEvents.flagEvents;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

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
import org.junit.jupiter.api.Test;

/** Metadata changes and archive/restore: audited with the whole flag before and after, and honoured by evaluation. */
@QuarkusTest
class FlagLifecycleTest {

    private static final String PROJECT = OfrepFixtures.PROJECT;

    @Test
    void metadataChangesAreAuditedAndArchivingStopsEvaluationUntilRestored() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        await().atMost(Duration.ofSeconds(10)).until(() -> evaluate(sdkKey, key) == 200);

        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().body("metadataVersion", equalTo(1));
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("owner", "team-payments", "tags", List.of("checkout", "q4"), "risk", "high", "reason", "handover"))
                .patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key)
                .then().statusCode(200).header("ETag", equalTo("\"2\""))
                .body("owner", equalTo("team-payments"), "risk", equalTo("high"), "metadataVersion", equalTo(2));
        // Someone who read version 1 cannot overwrite that change.
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(Map.of("owner", "team-search"))
                .patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(412)
                .contentType("application/problem+json").body("detail", containsString("metadata version 2"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"").body(Map.of("reason", "stale read"))
                .post("/api/v1/projects/{p}/flags/{k}/archive", PROJECT, key).then().statusCode(412);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("risk", "extreme"))
                .patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(400);
        given().auth().oauth2(KeycloakResource.tokenFor("stager")).contentType(ContentType.JSON).body(Map.of("owner", "me"))
                .patch("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(403);

        // production serves every flag, so archiving needs an approval (ProtectedFlagOperationsTest covers the refusals)
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"2\"").body(Map.of("reason", "released everywhere"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "archive", 2, null))
                .post("/api/v1/projects/{p}/flags/{k}/archive", PROJECT, key).then().statusCode(200).body("archived", equalTo(true))
                .body("metadataVersion", equalTo(3));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "again"))
                .post("/api/v1/projects/{p}/flags/{k}/archive", PROJECT, key).then().statusCode(409);
        await().atMost(Duration.ofSeconds(10)).until(() -> evaluate(sdkKey, key) == 404);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key).then().statusCode(409);
        assertThat(given().auth().oauth2(editor).queryParam("limit", 500).get("/api/v1/projects/{p}/flags", PROJECT)
                .then().statusCode(200).extract().jsonPath().getList("items.key")).doesNotContain(key);

        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "needed again"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "restore", 3, null))
                .post("/api/v1/projects/{p}/flags/{k}/restore", PROJECT, key).then().statusCode(200).body("archived", equalTo(false));
        await().atMost(Duration.ofSeconds(10)).until(() -> evaluate(sdkKey, key) == 200);

        List<AuditEvent> events = flagEvents(PROJECT, key, 5);
        assertThat(events).extracting(AuditEvent::action).containsExactly("flag.created", "flag.environment.updated",
                "flag.metadata.updated", "flag.archived", "flag.restored");
        assertThat(events.get(2).previousState().path("owner").asText()).isNotEqualTo("team-payments");
        assertThat(events.get(2).newState().path("owner").asText()).isEqualTo("team-payments");
        assertThat(events.get(2).newState().path("metadataVersion").asLong()).isEqualTo(2);
        assertThat(events.get(3).reason()).isEqualTo("released everywhere");
        // flag-wide events say where they land, so monitor rules about protected environments see them
        assertThat(events.get(3).environment()).isNull();
        assertThat(events.get(3).scope().path("environments")).extracting(n -> n.asText())
                .containsExactly("development", "staging", "production");
        assertThat(events.get(3).scope().path("protected_environments")).extracting(n -> n.asText()).containsExactly("production");
        assertThat(events.get(0).scope().path("environments")).hasSize(3);
    }

    private static int evaluate(String sdkKey, String key) {
        return given().header("Authorization", "Bearer " + sdkKey).contentType(ContentType.JSON)
                .body(Map.of("context", Map.of("targetingKey", "u-1", "country", "NL")))
                .post("/ofrep/v1/evaluate/flags/{k}", key).statusCode();
    }
}
