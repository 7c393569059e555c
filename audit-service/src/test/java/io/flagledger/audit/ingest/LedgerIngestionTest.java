package io.flagledger.audit.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LedgerIngestionTest {

    @Inject
    Pool pool;

    @Inject
    io.flagledger.audit.ledger.Ledger ledger;

    @Inject
    io.flagledger.audit.merkle.MerkleStore tree;

    @Test
    void signedEventIsStoredOnceAndServedToAuditors() {
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        AuditEvent event = SigningKeyResource.signer().sign(event(flag, "flag-api"));
        byte[] payload = EventJson.toJson(event).getBytes(StandardCharsets.UTF_8);
        publish("flag.changes", "shop/" + flag, payload);
        publish("flag.changes", "shop/" + flag, payload); // a producer retry: must not be stored twice
        // Same key, same partition: once this later event is in, the duplicate before it was processed too.
        AuditEvent later = SigningKeyResource.signer().sign(event(flag, "flag-api"));
        publish("flag.changes", "shop/" + flag, EventJson.toJson(later).getBytes(StandardCharsets.UTF_8));

        String auditor = KeycloakResource.tokenFor("auditor");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor)
                .queryParam("flag", flag)
                .get("/api/v1/audit/events")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("items[0].event.event_id", equalTo(later.eventId()))
                .body("items[1].event.event_id", equalTo(event.eventId()))
                .body("items[1].event.actor_id", equalTo("alice-subject"))
                .body("items[1].event.reason", equalTo("canary"))
                .body("items[1].event.correlation_id", equalTo("ci-1")));
        assertThat(count("select count(*) from ledger_entry where flag_id = $1", flag)).isEqualTo(2);
        // Pagination: one per page, newest first, the cursor leads to the older one.
        Number cursor = given().auth().oauth2(auditor).queryParam("flag", flag).queryParam("limit", 1)
                .get("/api/v1/audit/events").then().statusCode(200).body("items", hasSize(1))
                .extract().path("nextCursor");
        given().auth().oauth2(auditor).queryParam("flag", flag).queryParam("limit", 1).queryParam("cursor", cursor)
                .get("/api/v1/audit/events").then().statusCode(200)
                .body("items[0].event.event_id", equalTo(event.eventId()));
    }

    /**
     * Batch-signed events (schema version 2, as the outbox relay sends them) are admitted one by one, in any
     * company; an event sent again under another batch signature (a relay run rolled back after sending it) is stored
     * once, as it first arrived; an edited member of a batch is quarantined without affecting the others.
     */
    @Test
    void batchSignedEventsAreStoredOneByOneAndADuplicateUnderAnotherBatchSignatureOnce() {
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> unsigned = List.of(event(flag, "flag-api"), event(flag, "flag-api"), event(flag, "flag-api"),
                event(flag, "flag-api"));
        List<AuditEvent> batch = SigningKeyResource.signer().signBatch(unsigned);
        AuditEvent resent = SigningKeyResource.signer().signBatch(unsigned.subList(0, 2)).get(0);
        assertThat(resent.signature()).isNotEqualTo(batch.get(0).signature());
        AuditEvent edited = batch.get(3);
        edited = new AuditEvent(edited.schemaVersion(), edited.eventId(), edited.timestamp(), "mallory", edited.actorType(),
                edited.actorName(), edited.actorEmail(), edited.actorRoles(), edited.sourceService(), edited.action(),
                edited.project(), edited.flagId(), edited.environment(), edited.previousState(), edited.newState(),
                edited.scope(), edited.correlationId(), edited.reason(), edited.request(), edited.signature());
        long quarantined = count("select count(*) from quarantined_event where reason like 'bad-signature: batch signature%'", null);

        for (AuditEvent e : List.of(batch.get(0), resent, edited, batch.get(1), batch.get(2))) {
            publish("flag.changes", "shop/" + flag, EventJson.toJson(e).getBytes(StandardCharsets.UTF_8));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry where flag_id = $1", flag) == 3);
        List<String> stored = pool.preparedQuery("select canonical_json from ledger_entry where flag_id = $1 order by seq")
                .execute(Tuple.of(flag)).await().indefinitely().stream().map(r -> r.getString(0)).toList();
        assertThat(stored).containsExactly(EventJson.toJson(batch.get(0)), EventJson.toJson(batch.get(1)),
                EventJson.toJson(batch.get(2)));
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "select count(*) from quarantined_event where reason like 'bad-signature: batch signature%'", null) == quarantined + 1);
    }

    @Test
    void tamperedForeignAndGarbageRecordsAreQuarantinedNotLost() {
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        AuditEvent signed = SigningKeyResource.signer().sign(event(flag, "flag-api"));
        AuditEvent tampered = new AuditEvent(signed.schemaVersion(), signed.eventId(), signed.timestamp(), "mallory",
                signed.actorType(), signed.actorName(), signed.actorEmail(), signed.actorRoles(), signed.sourceService(),
                signed.action(), signed.project(), signed.flagId(), signed.environment(), signed.previousState(),
                signed.newState(), signed.scope(), signed.correlationId(), signed.reason(), signed.request(), signed.signature());
        AuditEvent wrongService = SigningKeyResource.signer().sign(event(flag, "monitor-service"));
        long before = count("select count(*) from quarantined_event", null);
        String alerts = "select count(*) from ledger_entry where action = 'audit.event_quarantined' and source_service = $1";
        long alertsBefore = count(alerts, "audit-service");

        publish("flag.changes", "shop/" + flag, EventJson.toJson(tampered).getBytes(StandardCharsets.UTF_8));
        publish("monitor.actions", "shop/" + flag, EventJson.toJson(wrongService).getBytes(StandardCharsets.UTF_8));
        publish("security.events", "x", new byte[] {0, (byte) 0xff, '{'});

        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from quarantined_event", null) >= before + 3);
        List<String> reasons = pool.query("select reason from quarantined_event order by id desc limit 3").execute()
                .await().indefinitely().stream().map(r -> r.getString("reason")).toList();
        assertThat(reasons).anyMatch(r -> r.startsWith("bad-signature: "))
                .anyMatch(r -> r.startsWith("key-not-for-service: ") && r.contains("not for source_service 'monitor-service'"))
                .anyMatch(r -> r.startsWith("malformed: "));
        assertThat(count("select count(*) from ledger_entry where flag_id = $1", flag)).isZero();
        // Each quarantine is also a signed alert on security.events, which comes back into the ledger, and a metric.
        await().atMost(Duration.ofSeconds(30)).until(() -> count(alerts, "audit-service") >= alertsBefore + 3);
        String alert = pool.query("select canonical_json from ledger_entry where action = 'audit.event_quarantined' "
                + "order by seq desc limit 3").execute().await().indefinitely().iterator().next().getString(0);
        assertThat(alert).contains("\"topic\":\"security.events\"", "could not enter the ledger and was quarantined");
        assertThat(given().get("/q/metrics").asString()).contains("flagledger_audit_quarantined_total{topic=\"monitor.actions\"}",
                "flagledger_audit_alerts_total{action=\"audit.event_quarantined\"}");
    }

    @Test
    void aRedeliveredBadRecordIsQuarantinedAndAlertedOnlyOnce() {
        var position = new io.flagledger.audit.ledger.SourcePosition("flag.changes", 0, 9_000_000L + System.nanoTime() % 1_000_000);
        var rejected = List.of(new io.flagledger.audit.ledger.Ledger.Rejected("junk".getBytes(StandardCharsets.UTF_8),
                "not JSON", position));
        assertThat(ledger.append(List.of(), rejected).await().indefinitely().quarantined()).containsExactly(position);
        // Kafka redelivers after a crash before the offset commit: the row exists, so no second alert is raised.
        assertThat(ledger.append(List.of(), rejected).await().indefinitely().quarantined()).isEmpty();
        assertThat(count("select count(*) from quarantined_event where source_offset = " + position.offset(), null)).isEqualTo(1);
    }

    /**
     * The one-round-trip append trusts the tree state of this instance's last append only while the ledger still has
     * that size: a redelivered event and an append by someone else (here a caller's own transaction, as a legal
     * hold makes) both send it the long way, and the sequence stays dense with every event once.
     */
    @Test
    void appendsAfterADuplicateOrAnotherAppenderStayDenseAndOnce() {
        String flag = "dense-" + UUID.randomUUID().toString().substring(0, 8);
        var local = io.flagledger.audit.ledger.SourcePosition.LOCAL;
        List<io.flagledger.audit.ledger.Ledger.Admitted> first = List.of(admitted(flag, local), admitted(flag, local));
        long[] a = ledger.append(first, List.of()).await().indefinitely().seqs();
        long[] b = ledger.append(List.of(admitted(flag, local), first.get(1), admitted(flag, local)), List.of())
                .await().indefinitely().seqs();
        assertThat(a[1]).isEqualTo(a[0] + 1);
        assertThat(b[1]).as("the redelivered event").isZero();
        assertThat(b[0]).isGreaterThan(a[1]);
        assertThat(b[2]).isEqualTo(b[0] + 1);

        long[] other = pool.withTransaction(tx -> ledger.append(tx, List.of(admitted(flag, local)), List.of()))
                .await().indefinitely().seqs();
        long[] c = ledger.append(List.of(admitted(flag, local), admitted(flag, local)), List.of()).await().indefinitely().seqs();
        assertThat(other[0]).isGreaterThan(b[2]);
        assertThat(c[0]).isGreaterThan(other[0]);
        assertThat(c[1]).isEqualTo(c[0] + 1);
        assertThat(count("select count(*) from ledger_entry where flag_id = $1", flag)).isEqualTo(7);
        assertThat(count("select max(seq) - count(*) from ledger_entry", null)).as("gaps in seq").isZero();
    }

    /**
     * An append sent ahead assumes the tree the previous append makes. If that one rolls back and another appender
     * adds as many entries, the ledger has the assumed size but another tree: the append must write nothing, and
     * the ordinary way then appends it after what is there.
     */
    @Test
    void anAppendSentAheadWritesNothingOnAnotherTreeOfTheSameSize() {
        String flag = "ahead-" + UUID.randomUUID().toString().substring(0, 8);
        var local = io.flagledger.audit.ledger.SourcePosition.LOCAL;
        var sentAhead = admitted(flag, local);
        long[] size = new long[1];
        io.flagledger.audit.ledger.Ledger.Frontier[] assumed = new io.flagledger.audit.ledger.Ledger.Frontier[1];
        // Under the append lock: read the tree, plan an append of two events on it that never commits (the
        // "previous" append), and append two other events instead, so the ledger grows to the planned size.
        pool.withTransaction(tx -> tx.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(0x466c61674c6564L))
                .chain(() -> tree.size(tx)).chain(n -> tree.nodes(tx, io.flagledger.contract.merkle.CompactRange.nodes(n))
                        .map(nodes -> new io.flagledger.audit.ledger.Ledger.Frontier(n,
                                io.flagledger.contract.merkle.CompactRange.nodes(n).stream().map(nodes::get).toList())))
                .invoke(base -> assumed[0] = ledger.appendAt(base, List.of(admitted(flag, local), admitted(flag, local))).after())
                .chain(base -> ledger.append(tx, List.of(admitted(flag, local), admitted(flag, local)), List.of()))
                .chain(() -> tree.size(tx)).invoke(n -> size[0] = n)).await().indefinitely();
        assertThat(size[0]).as("the other appender grew the ledger to the assumed size").isEqualTo(assumed[0].size());

        var outcome = ledger.appendAt(assumed[0], List.of(sentAhead)).outcome().await().indefinitely();
        assertThat(outcome).as("written on a tree it did not assume").isNull();
        assertThat(count("select count(*) from ledger_entry where event_id = '" + sentAhead.columns().eventId() + "'", null)).isZero();

        long[] seqs = ledger.append(List.of(sentAhead), List.of()).await().indefinitely().seqs();
        assertThat(seqs[0]).isGreaterThan(size[0]);
        assertThat(count("select count(*) from ledger_entry where flag_id = $1", flag)).isEqualTo(3);
        assertThat(count("select max(seq) - count(*) from ledger_entry", null)).as("gaps in seq").isZero();
        // The stored tree is the tree of the stored leaves (what a wrongly guarded append would break).
        var leaves = new io.flagledger.contract.merkle.CompactRange();
        long stored = seqs[0];
        pool.preparedQuery("select leaf_hash from ledger_entry where seq <= $1 order by seq").execute(Tuple.of(stored))
                .await().indefinitely().forEach(r -> leaves.append(r.getBuffer(0).getBytes()));
        assertThat(tree.root(pool, stored).await().indefinitely()).isEqualTo(leaves.root());
    }

    private static io.flagledger.audit.ledger.Ledger.Admitted admitted(String flag, io.flagledger.audit.ledger.SourcePosition at) {
        return new io.flagledger.audit.ledger.Ledger.Admitted(SigningKeyResource.signer().sign(event(flag, "flag-api")), at);
    }

    @Test
    void ledgerTablesRefuseUpdateDeleteAndTruncate() {
        for (String sql : List.of("update ledger_entry set action = 'x'", "delete from ledger_entry",
                "truncate ledger_entry", "delete from quarantined_event")) {
            assertThatThrownBy(() -> pool.query(sql).execute().await().indefinitely())
                    .as(sql).hasMessageContaining("append-only");
        }
    }

    @Test
    void theServiceRoleMayOnlyReadAndAppend() {
        var conn = pool.getConnection().await().indefinitely();
        var tx = conn.begin().await().indefinitely();
        try {
            conn.query("set local role flagledger_audit_writer").execute().await().indefinitely();
            assertThat(conn.query("select count(*) from ledger_entry").execute().await().indefinitely().iterator().next()
                    .getLong(0)).isNotNegative();
            conn.query("insert into quarantined_event (received_at, source_topic, source_partition, source_offset, reason, "
                    + "payload) values (now(), 'role-test', 0, 0, 'role test', ''::bytea)").execute().await().indefinitely();
            for (String sql : List.of("update ledger_entry set action = 'x' where false", "delete from ledger_entry where false",
                    "truncate ledger_entry", "update checkpoint set note = '' where false", "update ledger_entry set nodes = null where false",
                    "alter table ledger_entry disable trigger ledger_entry_append_only")) {
                conn.query("savepoint attempt").execute().await().indefinitely();
                // Refused by privileges, before any trigger runs: even a statement that matches no row.
                assertThatThrownBy(() -> conn.query(sql).execute().await().indefinitely()).as(sql)
                        .hasMessageContaining(sql.startsWith("alter") ? "must be owner" : "permission denied");
                conn.query("rollback to savepoint attempt").execute().await().indefinitely();
            }
        } finally {
            tx.rollback().await().indefinitely();
            conn.close().await().indefinitely();
        }
    }

    @Test
    void readsNeedAnAuditRoleAndValidParameters() {
        given().get("/api/v1/audit/events").then().statusCode(401);
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).get("/api/v1/audit/events").then().statusCode(403);
        String auditor = KeycloakResource.tokenFor("auditor");
        given().auth().oauth2(auditor).queryParam("limit", 0).get("/api/v1/audit/events")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(auditor).queryParam("limit", "many").get("/api/v1/audit/events")
                .then().statusCode(400).contentType("application/problem+json");
    }

    private long count(String sql, String parameter) {
        Tuple args = parameter == null ? Tuple.tuple() : Tuple.of(parameter);
        return pool.preparedQuery(sql).execute(args).await().indefinitely().iterator().next().getLong(0);
    }

    private static AuditEvent event(String flag, String sourceService) {
        return AuditEvent.builder()
                .action("flag.toggled")
                .actorId("alice-subject")
                .actorType(ActorType.USER)
                .actorRoles(List.of("flag-editor"))
                .sourceService(sourceService)
                .project("shop")
                .flagId(flag)
                .environment("production")
                .previousState(JsonNodeFactory.instance.objectNode().put("enabled", false))
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", true))
                .correlationId("ci-1")
                .reason("canary")
                .request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .build();
    }

    private static void publish(String topic, String key, byte[] value) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
