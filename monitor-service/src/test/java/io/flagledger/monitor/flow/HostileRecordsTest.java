package io.flagledger.monitor.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.monitor.signals.PushedSamples;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No record stops a monitor-service consumer (real Kafka and PostgreSQL): garbage bytes, truncated JSON, an
 * oversized record and a NUL-carrying record on every consumed topic are parked (flag.changes, approval.events:
 * rejected_event with reason and raw bytes) or counted (service.health), and a genuine record sent after them on
 * the same partition is still processed. A change the database refuses deterministically is parked and the next one
 * stored; one that fails transiently (connections killed, the table gone for a while) is retried without loss.
 */
@QuarkusTest
class HostileRecordsTest {

    private static final byte[] GARBAGE = {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3, 0x28, 0x7b, 0x22};
    private static KafkaProducer<String, byte[]> producer;

    @Inject
    Pool pool;

    @Inject
    PushedSamples samples;

    @BeforeAll
    static void connect() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
    }

    @Test
    void hostileFlagChangesAreParkedAndTheNextGenuineChangeIsRecorded() {
        hostileBatchThenGenuine("flag.changes", change("hostile-change"));
    }

    @Test
    void hostileApprovalEventsAreParkedAndTheNextGenuineApprovalIsRecorded() {
        String crId = "cr-hostile-" + System.nanoTime();
        AuditEvent approval = ProducerKeysResource.signer("approval-service").sign(AuditEvent.builder()
                .actorId("approver").actorType(ActorType.USER).sourceService("approval-service")
                .action("change_request.approved").project("shop").flagId("hostile-approval").environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("change_request_id", crId))
                .correlationId(crId).build());
        hostileBatchThenGenuine("approval.events", approval);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from approved_change_request "
                + "where change_request_id = $1", crId) == 1);
    }

    @Test
    void hostileHealthSamplesAreCountedAndTheNextGenuineSampleIsUsed() {
        String app = "hostile"; // configured in %test: samples of unconfigured applications are dropped
        Instant marker = Instant.now();
        double before = rejectedSamples();
        send("service.health", "health", GARBAGE);
        send("service.health", "health", "{\"application\":\"x\",\"error_rate\":0.5".getBytes(StandardCharsets.UTF_8));
        send("service.health", "health", ("{\"application\":\"" + "x".repeat(700_000) + "\",\"error_rate\":0.5,\"timestamp\":\""
                + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8));
        send("service.health", "health", Kafka.healthSample("nul\u0000app", 0.5, Instant.now()).getBytes(StandardCharsets.UTF_8));
        send("service.health", "health", Kafka.healthSample(app, 0.25, marker).getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() -> !samples.since(app, marker).isEmpty());
        assertThat(samples.since("nul\u0000app", Instant.EPOCH)).isEmpty();
        assertThat(rejectedSamples() - before).isEqualTo(4);
    }

    @Test
    void aChangeTheDatabaseRefusesIsParkedAndTheNextOneStored() {
        AuditEvent poison = change("poison-" + System.nanoTime());
        AuditEvent next = change("after-poison");
        // a constraint the contract knows nothing about: PostgreSQL refuses the row (23514) every time it is tried
        execute("alter table flag_change add constraint no_poison check (flag_key not like 'poison-%')");
        try {
            RecordMetadata at = send("flag.changes", "shop/poison", EventJson.toJson(poison).getBytes(StandardCharsets.UTF_8));
            send("flag.changes", "shop/poison", EventJson.toJson(next).getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() -> stored(next));
            assertThat(stored(poison)).isFalse();
            Row parked = parked(at);
            assertThat(parked.getString("reason")).isEqualTo("unstorable");
            assertThat(parked.getString("detail")).contains("23514");
            assertThat(parked.getString("event_id")).isEqualTo(poison.eventId());
            assertThat(parked.getBuffer("payload").getBytes()).isEqualTo(EventJson.toJson(poison).getBytes(StandardCharsets.UTF_8));
        } finally {
            execute("alter table flag_change drop constraint if exists no_poison");
        }
    }

    @Test
    void aTransientFailureIsRetriedAndNothingIsLost() throws Exception {
        // every connection of the service's pool is killed ...
        execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() "
                + "and pid <> pg_backend_pid()");
        AuditEvent afterKill = change("after-kill");
        send("flag.changes", "shop/transient", EventJson.toJson(afterKill).getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(afterKill));
        // ... and the table is gone for a while (SQLSTATE 42P01: not a data error, so retried, not parked)
        AuditEvent duringOutage = change("during-outage");
        AuditEvent afterOutage = change("after-outage");
        execute("alter table flag_change rename to flag_change_away");
        try {
            send("flag.changes", "shop/transient", EventJson.toJson(duringOutage).getBytes(StandardCharsets.UTF_8));
            send("flag.changes", "shop/transient", EventJson.toJson(afterOutage).getBytes(StandardCharsets.UTF_8));
            Thread.sleep(3000);
        } finally {
            execute("alter table flag_change_away rename to flag_change");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> stored(duringOutage) && stored(afterOutage));
        assertThat(count("select count(*) from rejected_event where event_id = $1", duringOutage.eventId())).isZero();
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Garbage, truncated, oversized and NUL-carrying records, then {@code genuine}, all on one partition (one key). */
    private void hostileBatchThenGenuine(String topic, AuditEvent genuine) {
        String key = "shop/hostile-" + System.nanoTime();
        String json = EventJson.toJson(genuine);
        RecordMetadata garbage = send(topic, key, GARBAGE);
        RecordMetadata truncated = send(topic, key, json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8));
        RecordMetadata oversized = send(topic, key, json.replace("\"project\":\"shop\"", "\"project\":\"shop\",\"padding\":\""
                + "x".repeat(600 * 1024) + "\"").getBytes(StandardCharsets.UTF_8));
        RecordMetadata nul = send(topic, key, json.replace("\"correlation_id\":\"", "\"correlation_id\":\"\\u0000")
                .getBytes(StandardCharsets.UTF_8));
        send(topic, key, json.getBytes(StandardCharsets.UTF_8));
        if (topic.equals("flag.changes")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> stored(genuine));
        }
        // by partition too: another test's record parked at the same offset of another partition is not this one
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from rejected_event where topic = $1 "
                + "and kafka_partition = $2 and kafka_offset = $3", topic, nul.partition(), nul.offset()) == 1);
        assertThat(parked(garbage).getString("reason")).isEqualTo("malformed");
        assertThat(parked(garbage).getBuffer("payload").length()).isPositive();
        assertThat(parked(truncated).getString("reason")).isEqualTo("malformed");
        assertThat(parked(oversized).getString("reason")).isEqualTo("oversized");
        assertThat(parked(oversized).getBuffer("payload").length()).isGreaterThan(600 * 1024);
        assertThat(parked(nul).getString("reason")).isEqualTo("invalid-envelope");
        assertThat(parked(nul).getString("detail")).contains("correlation_id", "U+0000");
        assertThat(new String(parked(nul).getBuffer("payload").getBytes(), StandardCharsets.UTF_8)).contains("\\u0000");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("flagledger_monitor_events_rejected_total{")))
                .anyMatch(l -> l.contains("reason=\"oversized\"") && l.contains("topic=\"" + topic + "\""));
    }

    private static AuditEvent change(String flag) {
        return ProducerKeysResource.signer("flag-api").sign(AuditEvent.builder()
                .actorId("sub-requester").actorType(ActorType.USER).actorName("requester").actorRoles("flag-editor")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId(flag).environment("staging")
                .previousState(MonitorFlowTest.state(false, 1)).newState(MonitorFlowTest.state(true, 2))
                .correlationId("ci-" + flag).reason("test").build());
    }

    private static RecordMetadata send(String topic, String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean stored(AuditEvent change) {
        return count("select count(*) from flag_change where event_id = $1", change.eventId()) == 1;
    }

    private Row parked(RecordMetadata at) {
        for (Row r : pool.preparedQuery("select reason, detail, event_id, payload from rejected_event where topic = $1 "
                + "and kafka_partition = $2 and kafka_offset = $3").execute(Tuple.of(at.topic(), at.partition(), at.offset()))
                .await().atMost(Duration.ofSeconds(10))) {
            return r;
        }
        throw new AssertionError("nothing parked for " + at);
    }

    private long count(String sql, Object... args) {
        return pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }

    private void execute(String sql) {
        pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
    }

    private static double rejectedSamples() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("flagledger_monitor_samples_rejected_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
