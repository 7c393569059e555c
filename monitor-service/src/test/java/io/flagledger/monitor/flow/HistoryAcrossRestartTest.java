package io.flagledger.monitor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.changes.PgChangeStore;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The change history survives a restart: changes consumed from real Kafka are in PostgreSQL before their offsets are
 * committed, and a history that lost its memory (what a restart leaves: {@link ChangeHistory#forget()} on the running
 * application, or a new {@link ChangeHistory} over the same database) reloads them, so a change made before the
 * restart is still the suspect of a later error spike and still counts towards rapid toggling. Redelivered events
 * (same event id) are kept and counted once.
 */
@QuarkusTest
class HistoryAcrossRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Kafka kafka;

    @Inject
    ChangeHistory history;

    @Inject
    PgChangeStore store;

    @Inject
    Pool pool;

    @BeforeAll
    static void connect() {
        kafka = new Kafka();
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    @Test
    void aChangeMadeBeforeTheRestartIsStillTheSuspectOfALaterErrorSpike() throws Exception {
        AuditEvent change = toggle("spiky-across-restart", "production", 1);
        kafka.publish("flag.changes", change);
        kafka.publish("flag.changes", change); // redelivered
        await().atMost(Duration.ofSeconds(30)).until(() -> storedRows(List.of(change.eventId())) == 1);

        // A new history over the same database knows every fact of the change as the consumer read it, once.
        ChangeHistory fresh = new ChangeHistory(Clock.systemUTC(), Duration.ofHours(1), store);
        FlagKey key = new FlagKey("shop", "spiky-across-restart", "production");
        assertThat(fresh.since(key, change.timestamp().minusSeconds(1)))
                .containsExactly(FlagChange.of(EventJson.parse(EventJson.toJson(change))));

        // The running monitor restarts (its memory is gone), then the errors come.
        history.forget();
        kafka.send("service.health", "restarted", Kafka.healthSample("restarted", 0.30, change.timestamp().plusSeconds(1)));

        JsonNode put = await().atMost(Duration.ofSeconds(30)).until(() -> FakeFlagApiResource.requestsTo("/flags/spiky-across-restart/"), r -> r.size() == 1).get(0);
        assertThat(put.path("headers").path("X-Flagledger-Revert-Of").asText()).isEqualTo(change.eventId());
        assertThat(put.path("headers").path("If-Match").asText()).isEqualTo("\"2\"");
        ObjectNode restored = ((ObjectNode) change.previousState()).deepCopy();
        restored.remove("version");
        assertThat(put.path("body").path("config")).isEqualTo(restored);
        await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(change, "error-spike").stream()
                .map(AuditEvent::action).toList().containsAll(List.of("monitor.detection", "monitor.revert.committed")));
    }

    @Test
    void togglesBeforeTheRestartStillCountForRapidTogglingAndRedeliveriesCountOnce() {
        // rapid-toggling: more than 5 changes within 10 minutes.
        List<AuditEvent> toggles = new ArrayList<>();
        for (int version = 1; version <= 6; version++) {
            toggles.add(toggle("toggly-across-restart", "staging", version));
        }
        for (AuditEvent toggle : toggles.subList(0, 5)) {
            kafka.publish("flag.changes", toggle);
        }
        List<String> ids = toggles.stream().map(AuditEvent::eventId).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> storedRows(ids.subList(0, 5)) == 5);

        history.forget();
        // The consumer restarts before its last commit: the last two changes come again. Not a sixth change.
        kafka.publish("flag.changes", toggles.get(3));
        kafka.publish("flag.changes", toggles.get(4));
        kafka.publish("flag.changes", toggles.get(5));

        AuditEvent detection = await().atMost(Duration.ofSeconds(30)).until(() -> kafka.actionsFor(toggles.get(5), "rapid-toggling"),
                        events -> events.stream().anyMatch(e -> e.action().equals("monitor.detection"))).stream()
                .filter(e -> e.action().equals("monitor.detection")).findFirst().orElseThrow();
        assertThat(detection.scope().path("details").path("changes").asInt()).isEqualTo(6);
        List<String> counted = new ArrayList<>();
        detection.scope().path("details").path("event_ids").forEach(id -> counted.add(id.asText()));
        assertThat(counted).containsExactlyElementsOf(ids);
        // One partition, in order: the redeliveries were judged before the sixth change, and did not fire.
        assertThat(kafka.actionsFor(toggles.get(3), "rapid-toggling")).isEmpty();
        assertThat(kafka.actionsFor(toggles.get(4), "rapid-toggling")).isEmpty();
        assertThat(storedRows(ids)).isEqualTo(6);
    }

    // ------------------------------------------------------------------------------------------------------------

    private long storedRows(List<String> eventIds) {
        return pool.preparedQuery("select count(*) from flag_change where event_id = any($1)")
                .execute(Tuple.of(eventIds.toArray(new String[0]))).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }




    /** flag-api's event for toggling {@code flag} in {@code environment}, from {@code version} to the next. */
    private static AuditEvent toggle(String flag, String environment, long version) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.putArray("changed").add("enabled");
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(flag).environment(environment)
                .previousState(MonitorFlowTest.state(version % 2 == 0, version))
                .newState(MonitorFlowTest.state(version % 2 == 1, version + 1))
                .scope(scope).correlationId("ci-" + flag + "-" + version).reason("test").build());
    }
}
