package io.flagledger.approval.supersede;

import static io.flagledger.approval.Fixtures.config;
import static io.flagledger.approval.Fixtures.create;
import static io.flagledger.approval.Fixtures.createSegment;
import static io.flagledger.approval.Fixtures.segmentDefinition;
import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.contract.AuditEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** flag-api's events on flag.changes (real Kafka) supersede requests whose base version moved, before any apply. */
@QuarkusTest
class SupersedeOnFlagChangeTest {

    private static final String P = "shop";
    private static final String PROD = "production";

    @Test
    void aFlagChangePastTheBaseVersionSupersedesAPendingRequestAtOnce() {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        AuditEvent change = Fixtures.flagChanged(P, flag, PROD, 2, null);
        Fixtures.publishFlagChange(P + "/" + flag, change);

        awaitState(id, "superseded").body("lastApplyError", containsString("version 2 after base version 1"));
        List<AuditEvent> events = Fixtures.events(e -> flag.equals(e.flagId()) && e.action().equals("change_request.superseded"), 1);
        assertThat(events.get(0).scope().path("superseded_by").path("event_id").asText()).isEqualTo(change.eventId());
        assertThat(events.get(0).scope().path("target").asText()).isEqualTo("flag");
        assertThat(events.get(0).previousState().path("state").asText()).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get(Fixtures.fakeFlagApi() + "/__fake/webhooks")
                .then().body("findAll { it.flag == '" + flag + "' }.action", org.hamcrest.Matchers.hasItem("change_request.superseded")));

        // rebased onto version 2, the request is pending again; the same event redelivered changes nothing
        moveFakeFlag(flag, 2);
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Map.of("config", config(true, 10000), "baseVersion", 2))
                .put("/api/v1/change-requests/" + id + "/proposal").then().statusCode(200).body("state", equalTo("pending"));
        String key = "redelivery-" + UUID.randomUUID();
        Fixtures.publishFlagChange(key, change);
        sentinel(key);
        get(id).body("state", equalTo("pending")).body("revision", equalTo(2)).body("baseVersion", equalTo(2));
    }

    @Test
    void eventsForOtherTargetsOlderVersionsAndTheRequestsOwnApplyAreIgnored() {
        String flag = Fixtures.seedFlag(P, null);
        String other = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        String key = "ignored-" + UUID.randomUUID();
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, other, PROD, 9, null));
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, flag, "staging", 9, null));
        Fixtures.publishFlagChange(key, Fixtures.flagChanged("other-project", flag, PROD, 9, null));
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, flag, PROD, 1, null));
        ObjectNode ownApply = Fixtures.JSON.createObjectNode();
        ownApply.putObject("approval").put("change_request_id", id);
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, flag, PROD, 2, ownApply));
        Fixtures.publishFlagChange(key, Fixtures.segmentChanged(P, flag, PROD, 9)); // a segment named like the flag
        sentinel(key);
        get(id).body("state", equalTo("pending")).body("lastApplyError", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void anApprovedRequestWaitingForItsApplyIsSupersededAndNeverWritten() {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        decide("approver1", id);
        Fixtures.fakeMode("down");
        try {
            decide("approver2", id);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> get(id).body("lastApplyError", containsString("503")));
            get(id).body("state", equalTo("approved"));
            Fixtures.publishFlagChange(P + "/" + flag, Fixtures.flagChanged(P, flag, PROD, 3, null));
            awaitState(id, "superseded");
        } finally {
            Fixtures.fakeMode("normal");
        }
        // the apply worker leaves a superseded request alone
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(Fixtures.writes(P, flag)).isZero());
        get(id).body("state", equalTo("superseded"));
    }

    @Test
    void aSegmentChangeSupersedesRequestsOnThatSegmentOnly() {
        String segment = Fixtures.seedSegment(P, PROD, 3, segmentDefinition(List.of("u1"), List.of()));
        String id = fileSegment(segment, PROD, List.of("u1", "u2"));
        String fresh = "s-new-" + UUID.randomUUID().toString().substring(0, 8);
        String create = fileSegment(fresh, PROD, List.of("u5"));
        given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + create).then().body("baseVersion", equalTo(0));

        Fixtures.publishFlagChange(P + "/" + segment, Fixtures.segmentChanged(P, segment, "staging", 7));
        Fixtures.publishFlagChange(P + "/" + segment, Fixtures.segmentChanged(P, segment, PROD, 4));
        awaitState(id, "superseded").body("lastApplyError", containsString("segment changed to version 4"));
        List<AuditEvent> events = Fixtures.events(e -> e.scope() != null && segment.equals(e.scope().path("segment").asText(null))
                && e.action().equals("change_request.superseded"), 1);
        assertThat(events.get(0).flagId()).isNull();

        // someone created the segment the other request meant to create
        Fixtures.publishFlagChange(P + "/" + fresh, Fixtures.segmentChanged(P, fresh, PROD, 1));
        awaitState(create, "superseded").body("lastApplyError", containsString("version 1 after base version 0"));
    }

    /** A pending request superseded by an event sent after others with the same key: those were handled first. */
    private static void sentinel(String key) {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileFlag(flag);
        Fixtures.publishFlagChange(key, Fixtures.flagChanged(P, flag, PROD, 2, null));
        awaitState(id, "superseded");
    }

    private static void moveFakeFlag(String flag, long version) {
        JsonNode moved = Fixtures.fakeFlag(P, flag);
        ((ObjectNode) moved.at("/environments/production")).put("version", version);
        given().body(moved.toString()).put(Fixtures.fakeFlagApi() + "/__fake/flags/" + P + "/" + flag).then().statusCode(204);
    }

    private static String fileFlag(String flag) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(create(P, flag, PROD, config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
    }

    private static String fileSegment(String segment, String environment, List<String> included) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(createSegment(P, segment, environment, segmentDefinition(included, List.of())).toString())
                .post("/api/v1/change-requests").then().statusCode(201).body("state", equalTo("pending"))
                .extract().path("id");
    }

    private static void decide(String user, String id) {
        given().auth().oauth2(token(user)).contentType(ContentType.JSON).header("If-Match", Fixtures.revisionTag(id)).body("{}")
                .post("/api/v1/change-requests/" + id + "/approvals").then().statusCode(200);
    }

    private static ValidatableResponse get(String id) {
        return given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + id).then().statusCode(200);
    }

    private static ValidatableResponse awaitState(String id, String state) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(id).body("state", equalTo(state)));
        return get(id);
    }
}
