package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.verify.EventGate;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared relay against real PostgreSQL and a real Kafka broker that the test stops and starts.
 * Topics: {@code outbox.one} (3 partitions), {@code outbox.two} (1 partition, for a total order), {@code outbox.security}
 * (the parked-row alerts). The producer's {@code max.request.size} is 300,000 bytes, below the contract's 512 KiB, so
 * Kafka itself refuses a 400 KB event the contract accepts. Rows are signed with the service's own key (what
 * {@link OutboxRecord#sign} does in the services), so the relay batch-signs them (the default
 * {@code flagledger.outbox.signature=batch}).
 */
@QuarkusTest
@WithTestResource(value = PostgresDatabaseResource.class)
@WithTestResource(value = RestartableKafkaResource.class)
@WithTestResource(value = SigningKeyResource.class)
class OutboxRelayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final EventSigner SIGNER = SigningKeyResource.signer();
    /** Another key: rows it signed were not written by this service. */
    private static final EventSigner FOREIGN = new EventSigner("outbox-foreign", Ed25519Keys.generate().getPrivate());
    /** What consumers of these topics check: the service's key, bound to it, on its topics. */
    private static final EventGate GATE = new EventGate(List.of(new EventGate.TrustedKey(SigningKeyResource.KEY_ID,
            "outbox-test", SigningKeyResource.keyPair().getPublic())),
            Map.of("outbox.one", List.of("outbox-test"), "outbox.two", List.of("outbox-test")));

    @Inject
    OutboxRelay relay;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void table() {
        // A fresh table per test, so counts are exact.
        OutboxTable.create(pool, TIMEOUT);
        if (!RestartableKafkaResource.brokerRunning()) {
            RestartableKafkaResource.startBroker();
        }
    }

    @Test
    void publishesInIdOrderWithEachRowsTopicKeyAndEventIdThenMarksThemPublished() {
        double before = published();
        List<OutboxRecord> rows = List.of(
                append("outbox.one", "shop", "checkout"), append("outbox.one", "shop", "checkout"),
                append("outbox.two", "shop", "banner"), append("outbox.one", "shop", "checkout"),
                append("outbox.two", null, null), append("outbox.two", "shop", "banner"));

        // batch-size is 4: two runs, then nothing left
        assertThat(run().published()).isEqualTo(4);
        assertThat(run().published()).isEqualTo(2);
        assertThat(run().published()).isZero();
        assertThat(pending()).isZero();
        assertThat(published() - before).isEqualTo(6);

        Map<String, ConsumerRecord<String, String>> received = consume(rows);
        for (OutboxRecord row : rows) {
            ConsumerRecord<String, String> r = received.get(row.event().eventId());
            assertThat(r.topic()).isEqualTo(row.topic());
            assertThat(r.key()).isEqualTo(row.messageKey());
            // the row's event, batch-signed, and the row now holds exactly what was sent
            assertThat(EventJson.parse(r.value()).withoutSignature()).isEqualTo(row.event().withSchemaVersion(2));
            assertThat(storedPayload(row)).isEqualTo(r.value());
        }
        assertThat(received.get(rows.get(4).event().eventId()).key()).isEqualTo("-/-");
        // one key, one partition, the append order
        assertThat(offsets(received, rows.get(0), rows.get(1), rows.get(3))).isSorted();
        assertThat(offsets(received, rows.get(2), rows.get(4), rows.get(5))).isSorted();
    }

    /**
     * One run, one signature: each sent event verifies on its own through the consumers' gate, the row Kafka refused
     * (parked) takes nothing from the others' proofs, and each published row holds what was sent.
     */
    @Test
    void aRelayedBatchVerifiesEventByEventAndEachRowHoldsWhatWasSent() {
        OutboxRecord a = append("outbox.one", "shop", "batch-a");
        OutboxRecord refused = append("not a valid topic!", "shop", "batch-a");
        OutboxRecord b = append("outbox.two", "shop", "batch-b");
        OutboxRecord c = append("outbox.one", "shop", "batch-c");
        OutboxRelay.Run run = run(); // batch-size 4: the four rows, one batch
        assertThat(run.published()).isEqualTo(3);
        assertThat(run.parked()).extracting(OutboxRelay.Parked::eventId).containsExactly(refused.eventId());

        Map<String, ConsumerRecord<String, String>> received = consume(List.of(a, b, c));
        Set<String> signatures = new LinkedHashSet<>();
        List<OutboxRecord> sent = List.of(a, b, c);
        List<Integer> leaves = List.of(0, 2, 3); // leaf 1 is the parked row's
        for (int i = 0; i < sent.size(); i++) {
            OutboxRecord row = sent.get(i);
            ConsumerRecord<String, String> r = received.get(row.event().eventId());
            EventGate.Verdict verdict = GATE.judge(r.topic(), r.value()); // this record alone
            assertThat(verdict.admitted()).as(verdict.detail()).isTrue();
            AuditEvent event = verdict.event();
            assertThat(event.schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION_BATCH);
            assertThat(event.signature().batch().size()).isEqualTo(4);
            assertThat(event.signature().batch().index()).isEqualTo(leaves.get(i));
            assertThat(event.withoutSignature()).isEqualTo(row.event().withSchemaVersion(2));
            signatures.add(event.signature().value());
            // what the ledger will hold (the gate's canonical bytes) is what the outbox shows
            assertThat(storedPayload(row)).isEqualTo(r.value()).isEqualTo(new String(verdict.canonical(), StandardCharsets.UTF_8));
        }
        assertThat(signatures).as("one signature for the run").hasSize(1);
        assertThat(storedPayload(refused)).as("a parked row keeps its version 1 payload").isEqualTo(refused.payload());
    }

    /**
     * A row the service did not sign (another key, or edited in the table after signing) is sent exactly as stored,
     * for consumers to refuse: the relay never gives it a valid signature.
     */
    @Test
    void aRowNotValidlySignedWithTheRelaysOwnKeyIsSentAsStoredAndNeverSignedAgain() {
        OutboxRecord foreign = insert(OutboxRecord.sign(FOREIGN, event("shop", "f"), "outbox.two"));
        AuditEvent genuine = signed(event("shop", "f"));
        AuditEvent edited = genuine.toBuilder().reason("edited in the table").build().withSignature(genuine.signature());
        OutboxRecord tampered = insert(new OutboxRecord(edited, "outbox.two", "shop/f", EventJson.toJson(edited),
                java.time.Instant.now()));
        OutboxRecord ours = append("outbox.two", "shop", "f");
        assertThat(run().published()).isEqualTo(3);

        Map<String, ConsumerRecord<String, String>> received = consume(List.of(foreign, tampered, ours));
        for (OutboxRecord row : List.of(foreign, tampered)) {
            String value = received.get(row.event().eventId()).value();
            assertThat(value).isEqualTo(row.payload());
            assertThat(storedPayload(row)).isEqualTo(row.payload());
            assertThat(GATE.judge("outbox.two", value).admitted()).isFalse();
        }
        String value = received.get(ours.event().eventId()).value();
        assertThat(EventJson.parse(value).schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION_BATCH);
        assertThat(GATE.judge("outbox.two", value).admitted()).isTrue();
    }

    @Test
    void rowsKafkaRefusesAreParkedWithTheirReasonAndTheRowsAfterThemArePublishedInOrder() {
        double parkedBefore = parked();
        OutboxRecord first = append("outbox.two", "shop", "a");
        // 400 KB: the contract accepts it, the producer's max.request.size (300,000) does not
        OutboxRecord tooLarge = insert(OutboxRecord.sign(SIGNER, event("shop", "a").toBuilder()
                .newState(JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(400_000))).build(), "outbox.two"));
        OutboxRecord sameKey = append("outbox.two", "shop", "a");
        OutboxRecord otherKey = append("outbox.one", "shop", "b");
        OutboxRecord badTopic = append("not a valid topic!", "shop", "a");
        OutboxRecord last = append("outbox.two", "shop", "a");

        drain();

        Map<UUID, String> parked = parkedIds();
        assertThat(parked).containsOnlyKeys(tooLarge.eventId(), badTopic.eventId());
        assertThat(parked.get(tooLarge.eventId())).startsWith("kafka: RecordTooLargeException");
        assertThat(parked.get(badTopic.eventId())).startsWith("kafka: InvalidTopicException");
        assertThat(parked() - parkedBefore).isEqualTo(2);
        assertThat(pending()).isZero();
        assertThat(relay.countPending().await().atMost(TIMEOUT)).isZero();

        // same key: the parked row does not hold back the later ones, which keep their order
        List<ConsumerRecord<String, String>> two = consumeAll("outbox.two", ids(List.of(first, tooLarge, sameKey, last)), 3);
        assertThat(two.stream().map(this::eventId).toList())
                .containsExactly(first.event().eventId(), sameKey.event().eventId(), last.event().eventId());
        assertThat(consumeAll("outbox.one", ids(List.of(otherKey)), 1)).hasSize(1);

        // the ledger shows each gap: one signed alert per parked row, naming it, its size and hash
        Map<String, AuditEvent> alerts = alerts(Set.of(tooLarge.event().eventId(), badTopic.event().eventId()), 2);
        AuditEvent alert = alerts.get(tooLarge.event().eventId());
        assertThat(alert.action()).isEqualTo(OutboxRelay.PARKED_ACTION);
        assertThat(alert.sourceService()).isEqualTo("outbox-test");
        assertThat(alert.schemaVersion()).as("relayed like any row").isEqualTo(AuditEvent.SCHEMA_VERSION_BATCH);
        assertThat(alert.scope().path("topic").asText()).isEqualTo("outbox.two");
        assertThat(alert.scope().path("message_key").asText()).isEqualTo("shop/a");
        byte[] payload = tooLarge.payload().getBytes(StandardCharsets.UTF_8);
        assertThat(alert.scope().path("payload_bytes").asInt()).isEqualTo(payload.length);
        assertThat(alert.scope().path("payload_sha256").asText()).isEqualTo(Hashing.sha256Hex(payload));
        assertThat(alert.scope().path("reason").asText()).startsWith("kafka: RecordTooLargeException");
        // signed with the service's key (SigningKeyResource), so audit-service accepts it into the ledger
        assertThatCode(() -> new EventVerifier(Map.of(SigningKeyResource.KEY_ID, SigningKeyResource.keyPair().getPublic()))
                .verify(alert)).doesNotThrowAnyException();
    }

    @Test
    void aRowWhosePayloadNoLongerParsesOrBreaksTheContractIsParkedBeforeKafkaAndAlertedOnce() {
        OutboxRecord garbage = insert(new OutboxRecord(signed(event("shop", "c")), "outbox.two", "shop/c",
                "{\"event_id\": truncated", java.time.Instant.now()));
        AuditEvent nul = signed(event("shop", "c").toBuilder().reason("a\u0000b").build());
        OutboxRecord refused = insert(new OutboxRecord(nul, "outbox.two", "shop/c", EventJson.toJson(nul), java.time.Instant.now()));
        OutboxRecord after = append("outbox.two", "shop", "c");

        drain();
        // the relay runs again and again: parked rows are never selected, so nothing is alerted twice
        for (int i = 0; i < 3; i++) {
            assertThat(run().parked()).isEmpty();
        }

        Map<UUID, String> parked = parkedIds();
        assertThat(parked).containsOnlyKeys(garbage.eventId(), refused.eventId());
        assertThat(parked.get(garbage.eventId())).startsWith("unparseable: ");
        assertThat(parked.get(refused.eventId())).startsWith("contract: reason: ").doesNotContain("\u0000");
        assertThat(count("select count(*) from outbox_event where topic = 'outbox.security'")).isEqualTo(2);
        assertThat(consumeAll("outbox.two", ids(List.of(garbage, refused, after)), 1).stream().map(this::eventId).toList())
                .containsExactly(after.event().eventId());
        assertThat(alerts(Set.of(garbage.event().eventId(), refused.event().eventId()), 2)).hasSize(2);
    }

    @Test
    void aTransientFailureAfterAParkRollsBothBackAndTheNextRunParksOnceAndPublishes() {
        OutboxRecord bad = insert(new OutboxRecord(signed(event("shop", "d")), "outbox.two", "shop/d", "not json",
                java.time.Instant.now()));
        OutboxRecord good = append("outbox.two", "shop", "d");
        RestartableKafkaResource.stopBroker();
        assertThatThrownBy(() -> run()).isNotNull();
        assertThat(parkedIds()).as("rolled back with the failed send").isEmpty();
        assertThat(count("select count(*) from outbox_event where topic = 'outbox.security'")).isZero();

        RestartableKafkaResource.startBroker();
        drain();
        assertThat(parkedIds()).containsOnlyKeys(bad.eventId());
        assertThat(publishedIds()).contains(good.event().eventId());
        assertThat(count("select count(*) from outbox_event where topic = 'outbox.security'")).isEqualTo(1);
    }

    @Test
    void deterministicAndTransientKafkaFailures() {
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.RecordTooLargeException("x"))).isTrue();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.InvalidRecordException("x"))).isTrue();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.SerializationException("x"))).isTrue();
        assertThat(OutboxRelay.parks(new RuntimeException(new org.apache.kafka.common.errors.InvalidTopicException("x")))).isTrue();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.TimeoutException("x"))).isFalse();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("x"))).isFalse();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.TopicAuthorizationException("x"))).isFalse();
        assertThat(OutboxRelay.parks(new org.apache.kafka.common.errors.UnknownServerException("x"))).isFalse();
        assertThat(OutboxRelay.parks(new io.smallrye.mutiny.TimeoutException())).isFalse();
        assertThat(OutboxRelay.parks(new IllegalStateException("producer closed"))).isFalse();
    }

    @Test
    void brokerDownNothingIsMarkedPublishedBrokerBackAllArePublishedInOrderNoneTwice() {
        List<OutboxRecord> before = List.of(append("outbox.two", "shop", "x"), append("outbox.two", "shop", "x"));
        assertThat(run().published()).isEqualTo(2);

        RestartableKafkaResource.stopBroker();
        List<OutboxRecord> during = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            during.add(append("outbox.two", "shop", "x"));
        }
        assertThatThrownBy(() -> relay.relay().await().atMost(TIMEOUT)).isNotNull();
        assertThatThrownBy(() -> relay.relay().await().atMost(TIMEOUT)).isNotNull();
        assertThat(pending()).isEqualTo(10);
        assertThat(parkedIds()).as("an outage is not a reason to park").isEmpty();
        assertThat(publishedIds()).containsExactlyInAnyOrderElementsOf(ids(before));
        // The backlog gauge the Helm chart alerts on shows the outage.
        assertThat(relay.countPending().await().atMost(TIMEOUT)).isEqualTo(10);
        assertThat(registry.get(OutboxRelay.PENDING_METRIC).gauge().value()).isEqualTo(10.0);

        RestartableKafkaResource.startBroker();
        // as the scheduler would: run again until the backlog is gone (a run may still fail while the producer
        // reconnects)
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                relay.relay().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                // next round
            }
            return pending() == 0;
        });
        assertThat(relay.countPending().await().atMost(TIMEOUT)).isZero();
        assertThat(parkedIds()).isEmpty();

        List<OutboxRecord> all = new ArrayList<>(before);
        all.addAll(during);
        List<ConsumerRecord<String, String>> received = consumeAll("outbox.two", ids(all), all.size());
        assertThat(received.stream().map(this::eventId).toList())
                .as("every event once, in append order")
                .containsExactlyElementsOf(all.stream().map(r -> r.event().eventId()).toList());
    }

    @Test
    void concurrentRelaysNeverPublishTheSameRowTwice() {
        List<OutboxRecord> rows = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            rows.add(append("outbox.one", "shop", "flag-" + (i % 5)));
        }
        Awaitility.await().atMost(TIMEOUT).until(() -> {
            List<CompletableFuture<OutboxRelay.Run>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(relay.relay().subscribeAsCompletionStage());
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
            return pending() == 0;
        });
        List<ConsumerRecord<String, String>> received = consumeAll("outbox.one", ids(rows), rows.size());
        assertThat(received.stream().map(this::eventId).toList()).doesNotHaveDuplicates().hasSize(rows.size());
        // rows of one key stay in order across the concurrent runs? Not promised: SKIP LOCKED hands each run its
        // own rows. What is promised is that none is sent twice.
    }

    // ---------------------------------------------------------------------------------------------------------

    private static AuditEvent event(String project, String flag) {
        return AuditEvent.builder()
                .actorId("tester").actorType(ActorType.USER).sourceService("outbox-test")
                .action("flag.toggled").project(project).flagId(flag).environment("staging")
                .correlationId("outbox-test").build();
    }

    private static AuditEvent signed(AuditEvent unsigned) {
        return SIGNER.sign(unsigned);
    }

    private OutboxRecord append(String topic, String project, String flag) {
        return insert(OutboxRecord.sign(SIGNER, event(project, flag), topic));
    }

    /** Writes the row as is: a test may bypass OutboxRecord.of's checks to have a row the relay must park. */
    private OutboxRecord insert(OutboxRecord record) {
        pool.withTransaction(tx -> tx.preparedQuery(OutboxRecord.INSERT).execute(record.tuple())).await().atMost(TIMEOUT);
        return record;
    }

    private OutboxRelay.Run run() {
        return relay.relay().await().atMost(TIMEOUT);
    }

    /** Runs the relay until nothing is pending, as the scheduler would. */
    private void drain() {
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                // a producer reconnecting after a restart: next round
            }
            return pending() == 0;
        });
    }

    /** The row's payload as stored now. */
    private String storedPayload(OutboxRecord row) {
        return pool.preparedQuery("select payload from outbox_event where event_id = $1").execute(Tuple.of(row.eventId()))
                .await().atMost(TIMEOUT).iterator().next().getString(0);
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().atMost(TIMEOUT).iterator().next().getLong(0);
    }

    /** Parked rows: event id to park reason. */
    private Map<UUID, String> parkedIds() {
        Map<UUID, String> parked = new HashMap<>();
        for (Row row : pool.query("select event_id, park_reason from outbox_event where parked_at is not null")
                .execute().await().atMost(TIMEOUT)) {
            parked.put(row.getUUID("event_id"), row.getString("park_reason"));
        }
        return parked;
    }

    private double parked() {
        return registry.counter(OutboxRelay.PARKED_METRIC).count();
    }

    /** The outbox.event_parked events on outbox.security for these parked event ids, by parked id; exactly once each. */
    private Map<String, AuditEvent> alerts(Set<String> parkedIds, int expected) {
        List<AuditEvent> all = new ArrayList<>();
        for (ConsumerRecord<String, String> r : read("outbox.security", null, expected)) {
            all.add(EventJson.parse(r.value()));
        }
        List<AuditEvent> ours = all.stream()
                .filter(e -> parkedIds.contains(e.scope().path("parked_event_id").asText())).toList();
        assertThat(ours).hasSize(expected);
        return ours.stream().collect(Collectors.toMap(e -> e.scope().path("parked_event_id").asText(), e -> e));
    }

    private long pending() {
        return count("select count(*) from outbox_event where published_at is null and parked_at is null");
    }

    private Set<String> publishedIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (Row row : pool.query("select event_id from outbox_event where published_at is not null order by id")
                .execute().await().atMost(TIMEOUT)) {
            ids.add(row.getUUID("event_id").toString());
        }
        return ids;
    }

    private double published() {
        return registry.counter(OutboxRelay.PUBLISHED_METRIC).count();
    }

    private static Set<String> ids(List<OutboxRecord> rows) {
        return rows.stream().map(r -> r.event().eventId()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private String eventId(ConsumerRecord<String, String> record) {
        return new String(record.headers().lastHeader(OutboxRelay.EVENT_ID_HEADER).value(), StandardCharsets.UTF_8);
    }

    private static List<Long> offsets(Map<String, ConsumerRecord<String, String>> received, OutboxRecord... rows) {
        List<Long> offsets = new ArrayList<>();
        for (OutboxRecord row : rows) {
            offsets.add(received.get(row.event().eventId()).offset());
        }
        return offsets;
    }

    /** The record of each of these rows, by event id; fails if one is missing. */
    private Map<String, ConsumerRecord<String, String>> consume(List<OutboxRecord> rows) {
        Map<String, ConsumerRecord<String, String>> byId = new HashMap<>();
        Map<String, List<OutboxRecord>> byTopic = rows.stream().collect(Collectors.groupingBy(OutboxRecord::topic));
        byTopic.forEach((topic, onTopic) -> {
            for (ConsumerRecord<String, String> r : read(topic, ids(onTopic), onTopic.size())) {
                byId.put(eventId(r), r);
            }
        });
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(ids(rows));
        return byId;
    }

    /** Every record of {@code topic} carrying one of {@code ids}, in offset order, once at least {@code expected} arrived. */
    private List<ConsumerRecord<String, String>> consumeAll(String topic, Set<String> ids, int expected) {
        List<ConsumerRecord<String, String>> records = read(topic, ids, expected);
        assertThat(records).hasSizeGreaterThanOrEqualTo(expected);
        return records;
    }

    /** {@code ids} null: every record of the topic. */
    private List<ConsumerRecord<String, String>> read(String topic, Set<String> ids, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RestartableKafkaResource.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<String, String>> matching = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.headers().lastHeader(OutboxRelay.EVENT_ID_HEADER) != null && (ids == null || ids.contains(eventId(r)))) {
                        matching.add(r);
                    }
                }
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                if (atEnd && matching.size() >= expected) {
                    break;
                }
            }
            matching.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                    : Long.compare(a.offset(), b.offset()));
            return matching;
        }
    }
}
