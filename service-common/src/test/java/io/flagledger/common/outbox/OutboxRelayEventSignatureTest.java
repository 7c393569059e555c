package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** {@code flagledger.outbox.signature=event}: the stored, individually signed payloads go out unchanged. */
@QuarkusTest
@TestProfile(OutboxRelayEventSignatureTest.EventSignatures.class)
@WithTestResource(value = PostgresDatabaseResource.class)
@WithTestResource(value = RestartableKafkaResource.class)
@WithTestResource(value = SigningKeyResource.class)
class OutboxRelayEventSignatureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static class EventSignatures implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flagledger.outbox.signature", "event");
        }
    }

    @Inject
    OutboxRelay relay;

    @Inject
    Pool pool;

    @Test
    void eachRowGoesOutAsStoredWithItsOwnSignature() {
        OutboxTable.create(pool, TIMEOUT);
        List<OutboxRecord> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            OutboxRecord row = OutboxRecord.sign(SigningKeyResource.signer(), AuditEvent.builder().actorId("tester")
                    .actorType(ActorType.USER).sourceService("outbox-test").action("flag.toggled").project("shop")
                    .flagId("event-" + i).environment("staging").correlationId("outbox-test").build(), "outbox.two");
            pool.withTransaction(tx -> tx.preparedQuery(OutboxRecord.INSERT).execute(row.tuple())).await().atMost(TIMEOUT);
            rows.add(row);
        }
        assertThat(relay.relay().await().atMost(TIMEOUT).published()).isEqualTo(3);

        List<String> sent = new ArrayList<>();
        for (ConsumerRecord<String, String> r : read("outbox.two", 3)) {
            sent.add(r.value());
        }
        assertThat(sent).containsExactlyElementsOf(rows.stream().map(OutboxRecord::payload).toList());
        for (OutboxRecord row : rows) {
            Row stored = pool.preparedQuery("select payload, published_at from outbox_event where event_id = $1")
                    .execute(Tuple.of(row.eventId())).await().atMost(TIMEOUT).iterator().next();
            assertThat(stored.getString("payload")).isEqualTo(row.payload());
            assertThat(stored.getOffsetDateTime("published_at")).isNotNull();
            assertThat(EventJson.parse(stored.getString("payload")).schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION);
        }
    }

    private static List<ConsumerRecord<String, String>> read(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RestartableKafkaResource.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }
}
