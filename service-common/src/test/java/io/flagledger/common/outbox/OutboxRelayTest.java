package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
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
 * Topics: {@code outbox.one} (3 partitions), {@code outbox.two} (1 partition, for a total order).
 */
@QuarkusTest
@WithTestResource(value = PostgresDatabaseResource.class)
@WithTestResource(value = RestartableKafkaResource.class)
class OutboxRelayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final EventSigner SIGNER = new EventSigner("outbox-test", Ed25519Keys.generate().getPrivate());

    @Inject
    OutboxRelay relay;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void table() {
        // The table every service's Flyway migrations create.
        pool.query("""
                create table if not exists outbox_event (
                    id           bigserial primary key,
                    event_id     uuid          not null unique,
                    topic        varchar(200)  not null,
                    message_key  varchar(300)  not null,
                    payload      text          not null,
                    created_at   timestamptz   not null,
                    published_at timestamptz
                )""").execute().await().atMost(TIMEOUT);
        pool.query("create index if not exists outbox_event_pending on outbox_event (id) where published_at is null")
                .execute().await().atMost(TIMEOUT);
        // Earlier tests' rows are all published (each test drains its own); clear them so counts are exact.
        pool.query("truncate outbox_event").execute().await().atMost(TIMEOUT);
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
        assertThat(relay.relay().await().atMost(TIMEOUT)).isEqualTo(4);
        assertThat(relay.relay().await().atMost(TIMEOUT)).isEqualTo(2);
        assertThat(relay.relay().await().atMost(TIMEOUT)).isZero();
        assertThat(pending()).isZero();
        assertThat(published() - before).isEqualTo(6);

        Map<String, ConsumerRecord<String, String>> received = consume(rows);
        for (OutboxRecord row : rows) {
            ConsumerRecord<String, String> r = received.get(row.event().eventId());
            assertThat(r.topic()).isEqualTo(row.topic());
            assertThat(r.key()).isEqualTo(row.messageKey());
            assertThat(r.value()).isEqualTo(row.payload());
        }
        assertThat(received.get(rows.get(4).event().eventId()).key()).isEqualTo("-/-");
        // one key, one partition, the append order
        assertThat(offsets(received, rows.get(0), rows.get(1), rows.get(3))).isSorted();
        assertThat(offsets(received, rows.get(2), rows.get(4), rows.get(5))).isSorted();
    }

    @Test
    void aFailedSendRollsTheWholeBatchBackAndTheNextRunResumesFromItsFirstRow() {
        OutboxRecord first = append("outbox.two", "shop", "a");
        OutboxRecord broken = append("not a valid topic!", "shop", "a");
        OutboxRecord third = append("outbox.two", "shop", "a");

        assertThatThrownBy(() -> relay.relay().await().atMost(TIMEOUT)).isNotNull();
        // the first row reached Kafka, but the batch rolled back: nothing is marked published
        assertThat(pending()).isEqualTo(3);

        pool.preparedQuery("update outbox_event set topic = 'outbox.two' where event_id = $1")
                .execute(Tuple.of(broken.eventId())).await().atMost(TIMEOUT);
        assertThat(relay.relay().await().atMost(TIMEOUT)).isEqualTo(3);
        assertThat(pending()).isZero();

        List<ConsumerRecord<String, String>> all = consumeAll("outbox.two", ids(List.of(first, broken, third)), 4);
        // at least once: the first row went out twice, then all three in their order
        assertThat(all.stream().map(this::eventId).toList()).containsExactly(
                first.event().eventId(), first.event().eventId(), broken.event().eventId(), third.event().eventId());
    }

    @Test
    void brokerDownNothingIsMarkedPublishedBrokerBackAllArePublishedInOrderNoneTwice() {
        List<OutboxRecord> before = List.of(append("outbox.two", "shop", "x"), append("outbox.two", "shop", "x"));
        assertThat(relay.relay().await().atMost(TIMEOUT)).isEqualTo(2);

        RestartableKafkaResource.stopBroker();
        List<OutboxRecord> during = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            during.add(append("outbox.two", "shop", "x"));
        }
        assertThatThrownBy(() -> relay.relay().await().atMost(TIMEOUT)).isNotNull();
        assertThatThrownBy(() -> relay.relay().await().atMost(TIMEOUT)).isNotNull();
        assertThat(pending()).isEqualTo(10);
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
            List<CompletableFuture<Integer>> runs = new ArrayList<>();
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

    private OutboxRecord append(String topic, String project, String flag) {
        AuditEvent unsigned = AuditEvent.builder()
                .actorId("tester").actorType(ActorType.USER).sourceService("outbox-test")
                .action("flag.toggled").project(project).flagId(flag).environment("staging")
                .correlationId("outbox-test").build();
        OutboxRecord record = OutboxRecord.sign(SIGNER, unsigned, topic);
        pool.withTransaction(tx -> record.insert(tx)).await().atMost(TIMEOUT);
        return record;
    }

    private long pending() {
        return pool.query("select count(*) from outbox_event where published_at is null").execute()
                .await().atMost(TIMEOUT).iterator().next().getLong(0);
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
                    if (r.headers().lastHeader(OutboxRelay.EVENT_ID_HEADER) != null && ids.contains(eventId(r))) {
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
