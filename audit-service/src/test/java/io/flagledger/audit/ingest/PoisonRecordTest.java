package io.flagledger.audit.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.TestLedger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * No single record stops the ledger: records the contract refuses, records the database refuses, and a database
 * that is briefly away. Every bad record ends in {@code quarantined_event} as its raw bytes with its reason and
 * Kafka position; every good record around it is appended in order and provable.
 */
@QuarkusTest
class PoisonRecordTest {

    /** The ledger's append lock (Ledger.APPEND_LOCK): holding it makes the ingestor wait where a test can find it. */
    private static final long APPEND_LOCK = 0x466c61674c6564L;

    @Inject
    Pool pool;

    @Inject
    EventIngestor ingestor;

    /** (a) Passes admission, fails at INSERT (a CHECK constraint only this record violates, SQLSTATE 23514). */
    @Test
    void aRecordTheDatabaseRefusesIsQuarantinedAndTheRecordsAroundItAreAppended() {
        String flag = flag();
        String poisonId = "poison-" + UUID.randomUUID();
        AuditEvent before = signed(flag, b -> b);
        AuditEvent poison = signed(flag, b -> b.correlationId(poisonId));
        // Also as wide as the contract allows: a valid event must land, not be quarantined (V22).
        String wide = "w".repeat(EventValidator.MAX_ID_LENGTH);
        AuditEvent after = signed(flag, b -> b.environment(wide).project(wide));
        sql("alter table ledger_entry add constraint poison_probe check (correlation_id <> '" + poisonId + "') not valid");
        try {
            List<RecordMetadata> sent = publish("flag.changes", flag, bytes(before), bytes(poison), bytes(after));
            long first = TestLedger.assertProven(before);
            long last = TestLedger.assertProven(after);
            assertThat(first).isLessThan(last);
            Row q = quarantined(sent.get(1));
            assertThat(q.getString("reason")).startsWith("refused by the database: ").contains("poison_probe", "23514");
            assertThat(q.getBuffer("payload").getBytes()).isEqualTo(bytes(poison));
            assertThat(inLedger(poison)).isZero();
            awaitAlert(sent.get(1));
        } finally {
            sql("alter table ledger_entry drop constraint poison_probe");
        }
    }

    /**
     * One batch with two records PostgreSQL refuses (a NUL in a text column is refused with 22021), as if admission
     * had missed them: the batch is bisected, both are quarantined, the three good ones are appended in their order.
     */
    @Test
    void aBatchIsSplitAroundRecordsTheDatabaseRefusesAndKeepsItsOrder() {
        String flag = flag();
        long base = 1_000_000 + (System.nanoTime() & 0xffffff);
        AuditEvent g1 = signed(flag, b -> b);
        AuditEvent nulInCorrelation = signed(flag, b -> b.correlationId("nul\u0000correlation"));
        AuditEvent g2 = signed(flag, b -> b);
        AuditEvent nulInActor = signed(flag, b -> b.actorId("nul\u0000actor"));
        AuditEvent g3 = signed(flag, b -> b);
        List<AuditEvent> batch = List.of(g1, nulInCorrelation, g2, nulInActor, g3);
        List<EventIngestor.Item> items = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            items.add(new EventIngestor.Item(new SourcePosition("poison.test", 0, base + i), bytes(batch.get(i)), batch.get(i),
                    EventJson.canonicalBytes(batch.get(i)), null));
        }
        ingestor.store(items).await().atMost(Duration.ofSeconds(60));

        long s1 = seq(g1);
        long s2 = seq(g2);
        long s3 = seq(g3);
        assertThat(s1).isPositive().isLessThan(s2);
        assertThat(s2).isLessThan(s3);
        assertThat(inLedger(nulInCorrelation) + inLedger(nulInActor)).isZero();
        String reason1 = quarantined("poison.test", 0, base + 1).getString("reason");
        String reason3 = quarantined("poison.test", 0, base + 3).getString("reason");
        assertThat(reason1).startsWith("refused by the database").contains("22021");
        assertThat(reason3).startsWith("refused by the database").containsPattern("22021|22P05");
        for (String r : List.of(reason1, reason3)) {
            assertThat(r).doesNotContain("\u0000");
        }
        assertThat(quarantined("poison.test", 0, base + 1).getBuffer("payload").getBytes()).isEqualTo(bytes(nulInCorrelation));
        TestLedger.assertProven(g3);
    }

    /** (b) Signed by a trusted key, so only the contract's text rule refuses it. */
    @Test
    void aSignedEventCarryingNulIsQuarantinedWithItsReasonAndTheNextIsAppended() {
        String flag = flag();
        AuditEvent nul = signed(flag, b -> b.reason("before\u0000after"));
        AuditEvent next = signed(flag, b -> b);
        List<RecordMetadata> sent = publish("flag.changes", flag, bytes(nul), bytes(next));
        TestLedger.assertProven(next);
        String reason = quarantined(sent.get(0)).getString("reason");
        assertThat(reason).startsWith("invalid-envelope: ").contains("reason: contains the control character U+0000");
        assertThat(quarantined(sent.get(0)).getBuffer("payload").getBytes()).isEqualTo(bytes(nul));
        // The alert quotes the reason, escaped: it is itself a valid event and lands in the ledger.
        awaitAlert(sent.get(0));
        assertThat(given().get("/q/metrics").asString()).contains("flagledger_audit_quarantined_total{topic=\"flag.changes\"}");
    }

    /** (c) Not JSON, cut-off JSON, and a record over the contract's size limit. */
    @Test
    void garbageTruncatedAndOversizedRecordsAreQuarantinedAndIngestionContinues() {
        String flag = flag();
        byte[] whole = bytes(signed(flag, b -> b));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        byte[] garbage = {0, (byte) 0xff, '{', (byte) 0xc3};
        AuditEvent huge = signed(flag, b -> b.newState(JsonNodeFactory.instance.objectNode()
                .put("blob", "x".repeat(EventValidator.MAX_EVENT_BYTES + 1))));
        AuditEvent next = signed(flag, b -> b);
        List<RecordMetadata> sent = publish("flag.changes", flag, garbage, truncated, bytes(huge), bytes(next));
        TestLedger.assertProven(next);
        assertThat(quarantined(sent.get(0)).getString("reason")).startsWith("malformed: ");
        assertThat(quarantined(sent.get(1)).getString("reason")).startsWith("malformed: ");
        Row oversized = quarantined(sent.get(2));
        assertThat(oversized.getString("reason")).startsWith("oversized: the record is ")
                .contains("more than " + EventValidator.MAX_EVENT_BYTES);
        assertThat(oversized.getBuffer("payload").length()).isGreaterThan(EventValidator.MAX_EVENT_BYTES);
        assertThat(quarantined(sent.get(0)).getBuffer("payload").getBytes()).isEqualTo(garbage);
        assertThat(inLedger(huge)).isZero();
    }

    /** (d) A serialization failure (40001) for a while: retried, not quarantined, nothing lost, order kept. */
    @Test
    void aTransientFailureIsRetriedUntilItPassesAndNothingIsQuarantined() {
        String flag = flag();
        String stuck = "transient-" + UUID.randomUUID();
        AuditEvent first = signed(flag, b -> b.correlationId(stuck));
        AuditEvent second = signed(flag, b -> b);
        sql("create function poison_probe_transient() returns trigger language plpgsql as $$ begin "
                + "raise exception 'probe: could not serialize' using errcode = '40001'; end $$");
        sql("create trigger poison_probe_transient before insert on ledger_entry for each row when (new.correlation_id = '"
                + stuck + "') execute function poison_probe_transient()");
        List<RecordMetadata> sent;
        try {
            double retriesBefore = metric("flagledger_audit_ingest_retries_total");
            sent = publish("flag.changes", flag, bytes(first), bytes(second));
            await().atMost(Duration.ofSeconds(30)).until(() -> metric("flagledger_audit_ingest_retries_total") >= retriesBefore + 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("flagledger_audit_ingest_stalled_seconds") >= 1);
            assertThat(inLedger(first) + inLedger(second)).isZero();
        } finally {
            sql("drop trigger poison_probe_transient on ledger_entry");
            sql("drop function poison_probe_transient()");
        }
        assertThat(TestLedger.assertProven(first)).isLessThan(TestLedger.assertProven(second));
        assertThat(quarantinedCount(sent)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("flagledger_audit_ingest_stalled_seconds") == 0);
    }

    /** (d) The ingestor's database connection killed mid-append (pg_terminate_backend, SQLSTATE 57P01). */
    @Test
    void aKilledConnectionIsRetriedAndNothingIsLostOrQuarantined() {
        String flag = flag();
        AuditEvent event = signed(flag, b -> b);
        SqlConnection holder = pool.getConnection().await().indefinitely();
        Transaction tx = holder.begin().await().indefinitely();
        List<RecordMetadata> sent;
        try {
            holder.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(APPEND_LOCK)).await().indefinitely();
            sent = publish("flag.changes", flag, bytes(event));
            String waiting = "select pid from pg_locks where locktype = 'advisory' and not granted and pid <> pg_backend_pid()";
            await().atMost(Duration.ofSeconds(30)).until(() -> holder.query(waiting).execute().await().indefinitely().size() > 0);
            long killed = holder.query("select count(pg_terminate_backend(pid)) from (" + waiting + ") w").execute()
                    .await().indefinitely().iterator().next().getLong(0);
            assertThat(killed).isPositive();
        } finally {
            tx.rollback().await().indefinitely();
            holder.close().await().indefinitely();
        }
        TestLedger.assertProven(event);
        assertThat(quarantinedCount(sent)).isZero();
        assertThat(inLedger(event)).isEqualTo(1);
    }

    private static String flag() {
        return "poison-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static AuditEvent signed(String flag, UnaryOperator<AuditEvent.Builder> change) {
        AuditEvent.Builder b = AuditEvent.builder()
                .action("flag.toggled")
                .actorId("alice-subject")
                .actorType(ActorType.USER)
                .sourceService("flag-api")
                .project("shop")
                .flagId(flag)
                .environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", true))
                .correlationId("ci-poison")
                .reason("poison test")
                .request(new RequestMetadata("test", "127.0.0.1", Channel.API));
        return SigningKeyResource.signer().sign(change.apply(b).build());
    }

    private static byte[] bytes(AuditEvent e) {
        return EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes to one partition (one key), in order; returns where each record landed. */
    private static List<RecordMetadata> publish(String topic, String key, byte[]... values) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (byte[] v : values) {
                futures.add(producer.send(new ProducerRecord<>(topic, key, v)));
            }
            for (var f : futures) {
                sent.add(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sent;
    }

    private Row quarantined(RecordMetadata m) {
        return quarantined(m.topic(), m.partition(), m.offset());
    }

    private Row quarantined(String topic, int partition, long offset) {
        Row[] row = new Row[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var rows = pool.preparedQuery("select reason, payload from quarantined_event where source_topic = $1 "
                    + "and source_partition = $2 and source_offset = $3").execute(Tuple.of(topic, partition, offset))
                    .await().indefinitely();
            row[0] = rows.size() == 1 ? rows.iterator().next() : null;
            return row[0] != null;
        });
        return row[0];
    }

    private long quarantinedCount(List<RecordMetadata> sent) {
        long n = 0;
        for (RecordMetadata m : sent) {
            n += pool.preparedQuery("select count(*) from quarantined_event where source_topic = $1 and source_partition = $2 "
                            + "and source_offset = $3").execute(Tuple.of(m.topic(), m.partition(), m.offset()))
                    .await().indefinitely().iterator().next().getLong(0);
        }
        return n;
    }

    /** The signed audit.event_quarantined alert for that record went through security.events into the ledger. */
    private void awaitAlert(RecordMetadata m) {
        String correlation = "quarantine-" + new SourcePosition(m.topic(), m.partition(), m.offset());
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.preparedQuery("select count(*) from ledger_entry where "
                        + "action = 'audit.event_quarantined' and correlation_id = $1").execute(Tuple.of(correlation))
                .await().indefinitely().iterator().next().getLong(0) == 1);
    }

    private long inLedger(AuditEvent e) {
        return pool.preparedQuery("select count(*) from ledger_entry where event_id = $1")
                .execute(Tuple.of(UUID.fromString(e.eventId()))).await().indefinitely().iterator().next().getLong(0);
    }

    private long seq(AuditEvent e) {
        var rows = pool.preparedQuery("select seq from ledger_entry where event_id = $1")
                .execute(Tuple.of(UUID.fromString(e.eventId()))).await().indefinitely();
        return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }

    private static double metric(String name) {
        return given().get("/q/metrics").asString().lines().filter(l -> l.startsWith(name))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
