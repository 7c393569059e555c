package io.flagledger.audit.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.TestLedger;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class QueryAndTimelineTest {

    @Inject
    Pool pool;

    private final String flag = "tl-" + UUID.randomUUID().toString().substring(0, 8);
    private final String corr = "cr-" + UUID.randomUUID().toString().substring(0, 8);

    private static AuditEvent.Builder event(String service, String action, String correlation, ActorType type, Channel channel) {
        return AuditEvent.builder().action(action).actorId(type == ActorType.USER ? "alice-subject" : "svc-" + service)
                .actorType(type).sourceService(service).correlationId(correlation).reason("timeline test")
                .request(new RequestMetadata("test", "127.0.0.1", channel))
                .newState(JsonNodeFactory.instance.objectNode().put("n", 1));
    }

    /** A change request approved, applied by flag-api, then reverted by the monitor, all under one correlation id. */
    private List<AuditEvent> story() {
        AuditEvent approval = ProducerKeysResource.signer("approval-service").sign(
                event("approval-service", "change.approved", corr, ActorType.USER, Channel.CONSOLE).build());
        AuditEvent change = SigningKeyResource.signer().sign(event("flag-api", "flag.toggled", corr, ActorType.USER, Channel.CI)
                .project("shop").flagId(flag).environment("production").build());
        AuditEvent revert = ProducerKeysResource.signer("monitor-service").sign(
                event("monitor-service", "flag.reverted", corr, ActorType.SERVICE, Channel.AUTOMATION).build());
        AuditEvent unrelated = SigningKeyResource.signer().sign(event("flag-api", "flag.toggled", "other-" + corr,
                ActorType.USER, Channel.API).project("shop").flagId(flag + "-other").build());
        TestLedger.publishAndAwait(pool, Map.of("approval.events", List.of(approval), "flag.changes", List.of(change, unrelated),
                "monitor.actions", List.of(revert)));
        return List.of(approval, change, revert, unrelated);
    }

    /** auditor-a holds audit-reader@team-a: it reads team-a's entries and is refused everything else. */
    @Test
    void aProjectScopedReaderReadsOnlyItsProject() {
        AuditEvent mine = SigningKeyResource.signer().sign(event("flag-api", "flag.toggled", corr, ActorType.USER, Channel.API)
                .project("team-a").flagId(flag).environment("production").build());
        AuditEvent theirs = SigningKeyResource.signer().sign(event("flag-api", "flag.toggled", "b-" + corr, ActorType.USER, Channel.API)
                .project("shop").flagId(flag).environment("production").build());
        TestLedger.publishAndAwait(pool, Map.of("flag.changes", List.of(mine, theirs)));
        String scoped = KeycloakResource.tokenFor("auditor-a");

        given().auth().oauth2(scoped).get("/api/v1/audit/events").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(scoped).queryParam("project", "shop").get("/api/v1/audit/events").then().statusCode(403);
        given().auth().oauth2(scoped).queryParam("project", "team-a").queryParam("flag", flag).get("/api/v1/audit/events")
                .then().statusCode(200).body("items.event.event_id", contains(mine.eventId()));
        given().auth().oauth2(scoped).get("/api/v1/audit/events/{id}", theirs.eventId()).then().statusCode(403);
        given().auth().oauth2(scoped).get("/api/v1/audit/events/{id}", mine.eventId()).then().statusCode(200)
                .body("event.project", equalTo("team-a"));
        given().auth().oauth2(scoped).get("/api/v1/audit/flags/shop/{flag}/timeline", flag).then().statusCode(403);
        given().auth().oauth2(scoped).get("/api/v1/audit/flags/team-a/{flag}/timeline", flag).then().statusCode(200)
                .body("items.event.event_id", contains(mine.eventId()));
        // an unscoped reader still searches everything (admin: audit-admin; the auditor's reads are counted elsewhere)
        given().auth().oauth2(KeycloakResource.tokenFor("admin")).queryParam("flag", flag).get("/api/v1/audit/events")
                .then().statusCode(200).body("items", hasSize(2));
    }

    @Test
    void timelineLinksApprovalsAndMonitorActionsByCorrelationIdNewestFirst() {
        List<AuditEvent> story = story();
        String auditor = KeycloakResource.tokenFor("auditor");
        var page = given().auth().oauth2(auditor).get("/api/v1/audit/flags/shop/{flag}/timeline", flag).then().statusCode(200)
                .body("items", hasSize(3))
                .body("items.correlationId", everyItem(equalTo(corr)))
                .extract().jsonPath();
        assertThat(page.getList("items.kind", String.class)).containsExactlyInAnyOrder("approval", "change", "monitor");
        List<Long> seqs = page.getList("items.seq", Long.class);
        assertThat(seqs).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(page.getList("items.event.event_id", String.class))
                .containsExactlyInAnyOrder(story.get(0).eventId(), story.get(1).eventId(), story.get(2).eventId());
        // Pages of one, following the cursor, give the same three entries.
        Number cursor = given().auth().oauth2(auditor).queryParam("limit", 1).get("/api/v1/audit/flags/shop/{flag}/timeline", flag)
                .then().statusCode(200).body("items", hasSize(1)).body("nextCursor", notNullValue()).extract().path("nextCursor");
        given().auth().oauth2(auditor).queryParam("limit", 5).queryParam("cursor", cursor)
                .get("/api/v1/audit/flags/shop/{flag}/timeline", flag).then().statusCode(200).body("items", hasSize(2));
        given().auth().oauth2(auditor).queryParam("limit", "0").get("/api/v1/audit/flags/shop/{flag}/timeline", flag)
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(KeycloakResource.tokenFor("viewer")).get("/api/v1/audit/flags/shop/{flag}/timeline", flag)
                .then().statusCode(403).contentType("application/problem+json");
        given().get("/api/v1/audit/flags/shop/{flag}/timeline", flag).then().statusCode(401);
    }

    @Test
    void searchFiltersByActorTypeSourceChannelAndTime() {
        List<AuditEvent> story = story();
        String auditor = KeycloakResource.tokenFor("auditor");
        given().auth().oauth2(auditor).queryParam("correlation_id", corr).queryParam("actor_type", "service")
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items.event.event_id", contains(story.get(2).eventId()));
        given().auth().oauth2(auditor).queryParam("correlation_id", corr).queryParam("source", "approval-service")
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items.event.event_id", contains(story.get(0).eventId()));
        given().auth().oauth2(auditor).queryParam("correlation_id", corr).queryParam("channel", "ci")
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items.event.event_id", contains(story.get(1).eventId()));
        Instant t = story.get(0).timestamp();
        given().auth().oauth2(auditor).queryParam("correlation_id", corr).queryParam("from", t.toString())
                .queryParam("to", t.plusNanos(1000).toString())
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items.event.event_id", contains(story.get(0).eventId()));
        given().auth().oauth2(auditor).queryParam("correlation_id", corr).queryParam("to", t.toString())
                .get("/api/v1/audit/events").then().statusCode(200).body("items", hasSize(0));
        for (Map<String, String> bad : List.of(Map.of("actor_type", "robot"), Map.of("channel", "fax"), Map.of("from", "yesterday"),
                Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"))) {
            given().auth().oauth2(auditor).queryParams(bad).get("/api/v1/audit/events").then().statusCode(400)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void readsAreThemselvesAuditedOncePerReaderAndInterval() {
        String auditor = KeycloakResource.tokenFor("auditor");
        String marker = "read-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(auditor).queryParam("correlation_id", marker).get("/api/v1/audit/events").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count(marker) >= 1);
        var row = pool.preparedQuery("select actor_id, source_service, canonical_json from ledger_entry "
                + "where action = 'audit.read' and canonical_json like $1").execute(Tuple.of("%" + marker + "%"))
                .await().indefinitely();
        assertThat(row.size()).as("the three reads land in one audit.read event").isEqualTo(1);
        var r = row.iterator().next();
        assertThat(r.getString("source_service")).isEqualTo("audit-service");
        assertThat(r.getString("canonical_json")).contains("\"read\":\"events\"", "\"actor_roles\":[");
        // The same reader's reads from the test before may share the interval: count this test's three.
        assertThat(r.getString("canonical_json").split(java.util.regex.Pattern.quote(marker), -1)).hasSize(4);
    }

    private long count(String marker) {
        return pool.preparedQuery("select count(*) from ledger_entry where action = 'audit.read' and canonical_json like $1")
                .execute(Tuple.of("%" + marker + "%")).await().indefinitely().iterator().next().getLong(0);
    }
}
