package io.flagledger.flagapi.ofrep;

import io.flagledger.contract.EventJson;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.Approvals;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.flagledger.contract.AuditEvent;
import io.flagledger.flagapi.TestEvents;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client (public) SDK keys evaluate only client-visible flags, and learn nothing of targeting from the answers. */
@QuarkusTest
class ClientKeyTest {

    /** Every OFREP answer these tests receive is checked against the protocol's schemas. */
    @org.junit.jupiter.api.BeforeEach
    void validated() {
        OfrepSchema.install();
    }


    private static final Map<String, Object> NL = Map.of("targetingKey", "u1", "country", "NL");

    @Inject
    Pool pool;

    @Test
    void aClientKeyEvaluatesOnlyClientVisibleFlagsAndSeesNoConfiguration() {
        String hidden = OfrepFixtures.flagWithCountryRule("staging");
        String visible = OfrepFixtures.flagWithCountryRule("staging", true);
        String clientKey = OfrepFixtures.issueKey("staging", "client");
        String serverKey = OfrepFixtures.issueKey("staging", "server");

        // Single: the client-visible flag's value; the hidden one is answered exactly like a missing flag.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> OfrepTest.evaluate(clientKey, visible, NL).then().statusCode(200)
                .body("key", equalTo(visible), "value", equalTo(true), "variant", equalTo("on"), "reason", equalTo("TARGETING_MATCH")));
        String answer = OfrepTest.evaluate(clientKey, visible, NL).asString();
        String salt = pool.preparedQuery("select salt from flag where project = $1 and flag_key = $2")
                .execute(Tuple.of(OfrepFixtures.PROJECT, visible)).await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
        assertThat(answer).doesNotContain(salt).doesNotContain("country").doesNotContain("NL")
                .doesNotContain("rules").doesNotContain("targets").doesNotContain("salt").doesNotContain("clauses");
        OfrepTest.evaluate(clientKey, hidden, NL).then().statusCode(404)
                .body("errorCode", equalTo("FLAG_NOT_FOUND"), "key", equalTo(hidden),
                        "errorDetails", equalTo("flag '" + hidden + "' does not exist in this environment"));
        // Server keys keep seeing every flag.
        OfrepTest.evaluate(serverKey, hidden, NL).then().statusCode(200).body("value", equalTo(true));

        // Bulk: only client-visible flags, and nothing of their configuration.
        String bulk = given().auth().oauth2(clientKey).contentType(ContentType.JSON).body(Map.of("context", NL))
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200)
                .body("flags.key", hasItem(visible), "flags.key", not(hasItem(hidden))).extract().asString();
        assertThat(bulk).doesNotContain(salt).doesNotContain("country").doesNotContain("rules").doesNotContain("salt");
        List<String> visibleKeys = pool.preparedQuery("select flag_key from flag where project = $1 and client_visible and archived_at is null")
                .execute(Tuple.of(OfrepFixtures.PROJECT)).await().atMost(Duration.ofSeconds(10))
                .stream().map(row -> row.getString(0)).toList();
        List<String> keys = given().auth().oauth2(clientKey).contentType(ContentType.JSON).body(Map.of("context", NL))
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200).extract().jsonPath().getList("flags.key", String.class);
        assertThat(visibleKeys).containsAll(keys);
        given().auth().oauth2(serverKey).contentType(ContentType.JSON).body(Map.of("context", NL))
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200).body("flags.key", hasItem(hidden));
    }

    @Test
    void clientVisibilityIsFlagMetadataChangedThroughPatchAndAudited() {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String clientKey = OfrepFixtures.issueKey("staging", "client");
        String editor = KeycloakResource.tokenFor("requester");
        given().auth().oauth2(editor).get("/api/v1/projects/{p}/flags/{k}", OfrepFixtures.PROJECT, key).then()
                .body("clientVisible", equalTo(false));
        Map<String, Object> bulkBody = Map.of("context", NL);
        String etag = await().atMost(Duration.ofSeconds(20)).until(() -> given().auth().oauth2(clientKey).contentType(ContentType.JSON)
                .body(bulkBody).post("/ofrep/v1/evaluate/flags").then().statusCode(200).extract().header("ETag"), e -> e != null);
        OfrepTest.evaluate(clientKey, key, NL).then().statusCode(404);

        // Visibility decides what public client keys are served in production too: without an approval it is 428.
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("clientVisible", true, "reason", "shown in the web app"))
                .patch("/api/v1/projects/{p}/flags/{k}", OfrepFixtures.PROJECT, key).then().statusCode(428);
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .header(ApprovalTokens.HEADER, Approvals.operationToken(OfrepFixtures.PROJECT, key, "metadata", 1,
                        EventJson.mapper().valueToTree(Map.of("clientVisible", true))))
                .body(Map.of("clientVisible", true, "reason", "shown in the web app"))
                .patch("/api/v1/projects/{p}/flags/{k}", OfrepFixtures.PROJECT, key)
                .then().statusCode(200).body("clientVisible", equalTo(true), "metadataVersion", equalTo(2));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> OfrepTest.evaluate(clientKey, key, NL).then().statusCode(200)
                .body("value", equalTo(true)));
        // The bulk answer changed, so its old ETag must not earn a 304.
        given().auth().oauth2(clientKey).contentType(ContentType.JSON).header("If-None-Match", etag).body(bulkBody)
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200).body("flags.key", hasItem(key));

        given().auth().oauth2(editor).contentType(ContentType.JSON).header("If-Match", "\"2\"")
                .header(ApprovalTokens.HEADER, Approvals.operationToken(OfrepFixtures.PROJECT, key, "metadata", 2,
                        EventJson.mapper().valueToTree(Map.of("clientVisible", false))))
                .body(Map.of("clientVisible", false))
                .patch("/api/v1/projects/{p}/flags/{k}", OfrepFixtures.PROJECT, key).then().statusCode(200).body("clientVisible", equalTo(false));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> OfrepTest.evaluate(clientKey, key, NL).then().statusCode(404));

        List<AuditEvent> events = TestEvents.flagEvents(OfrepFixtures.PROJECT, key, 4);
        assertThat(events.get(0).action()).isEqualTo("flag.created");
        assertThat(events.get(0).newState().path("clientVisible").asBoolean(true)).isFalse();
        List<AuditEvent> patches = events.stream().filter(e -> e.action().equals("flag.metadata.updated")).toList();
        assertThat(patches).hasSize(2);
        assertThat(patches.get(0).previousState().path("clientVisible").asBoolean(true)).isFalse();
        assertThat(patches.get(0).newState().path("clientVisible").asBoolean(false)).isTrue();
        assertThat(patches.get(0).reason()).isEqualTo("shown in the web app");
        assertThat(patches.get(1).newState().path("clientVisible").asBoolean(true)).isFalse();
    }
}
