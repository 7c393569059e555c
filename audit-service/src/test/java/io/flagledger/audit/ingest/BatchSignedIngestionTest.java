package io.flagledger.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.TestLedger;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Batch-signed events (schema version 2, one signature per outbox batch) through real Kafka: each is verified on
 * its own (its leaf, its inclusion path, the batch signature), stored as sent and proven; a record whose content,
 * path or index was altered is quarantined as a bad signature while the records around it, and the consumer, go on.
 */
@QuarkusTest
class BatchSignedIngestionTest {

    private static final ObjectMapper JSON = EventJson.mapper();

    @Inject
    Pool pool;

    @Test
    void batchSignedEventsAreVerifiedStoredAsSentAndProven() {
        String flag = flag();
        List<AuditEvent> batch = SigningKeyResource.signer().signBatch(events(flag, 5));
        assertThat(batch).allMatch(e -> e.schemaVersion() == 2);
        publish(flag, batch.stream().map(BatchSignedIngestionTest::bytes).toArray(byte[][]::new));

        long previous = 0;
        for (AuditEvent e : batch) {
            long seq = TestLedger.assertProven(e);
            assertThat(seq).as("kept in their Kafka order").isGreaterThan(previous);
            previous = seq;
            assertThat(stored(e)).as("the ledger holds the batch-signed event as the producer sent it")
                    .isEqualTo(EventJson.toJson(e));
        }
    }

    @Test
    void alteredBatchSignedRecordsAreQuarantinedWhileTheRecordsAroundThemAreAppended() throws Exception {
        String flag = flag();
        List<AuditEvent> batch = SigningKeyResource.signer().signBatch(events(flag, 6));
        byte[] content = edit(batch.get(1), e -> e.put("actor_id", "mallory"));
        byte[] path = edit(batch.get(2), e -> ((ArrayNode) batchOf(e).get("path"))
                .set(0, JsonNodeFactory.instance.textNode(Base64.getEncoder().encodeToString(new byte[32]))));
        // Index 2 of 6 has a path as long as index 3's, so only the signature check can tell.
        byte[] index = edit(batch.get(3), e -> batchOf(e).put("index", 2));
        // The genuine event first, so the batch statement is verified (and remembered) before the altered ones.
        List<RecordMetadata> sent = publish(flag, bytes(batch.get(0)), content, path, index, bytes(batch.get(5)));

        TestLedger.assertProven(batch.get(0));
        TestLedger.assertProven(batch.get(5));
        for (RecordMetadata m : sent.subList(1, 4)) {
            assertThat(quarantinedReason(m)).startsWith("bad-signature: ");
        }
        // Altered copies take nothing from the genuine events: those still enter the ledger when they arrive.
        publish(flag, bytes(batch.get(1)), bytes(batch.get(2)), bytes(batch.get(3)), bytes(batch.get(4)));
        for (AuditEvent e : batch.subList(1, 5)) {
            TestLedger.assertProven(e);
            assertThat(stored(e)).isEqualTo(EventJson.toJson(e));
        }
        assertThat(count("select count(*) from ledger_entry where flag_id = $1", flag)).isEqualTo(6);
    }

    private static ObjectNode batchOf(ObjectNode event) {
        return (ObjectNode) event.get("signature").get("batch");
    }

    private static byte[] edit(AuditEvent event, Consumer<ObjectNode> change) throws Exception {
        ObjectNode tree = (ObjectNode) JSON.readTree(EventJson.toJson(event));
        change.accept(tree);
        return JSON.writeValueAsBytes(tree);
    }

    private String stored(AuditEvent e) {
        return pool.preparedQuery("select canonical_json from ledger_entry where event_id = $1")
                .execute(Tuple.of(UUID.fromString(e.eventId()))).await().indefinitely().iterator().next().getString(0);
    }

    private String quarantinedReason(RecordMetadata m) {
        String[] reason = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var rows = pool.preparedQuery("select reason from quarantined_event where source_topic = $1 "
                    + "and source_partition = $2 and source_offset = $3").execute(Tuple.of(m.topic(), m.partition(), m.offset()))
                    .await().indefinitely();
            reason[0] = rows.size() == 1 ? rows.iterator().next().getString(0) : null;
            return reason[0] != null;
        });
        return reason[0];
    }

    private long count(String sql, String parameter) {
        return pool.preparedQuery(sql).execute(Tuple.of(parameter)).await().indefinitely().iterator().next().getLong(0);
    }

    private static String flag() {
        return "flag-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<AuditEvent> events(String flag, int n) {
        return IntStream.range(0, n).mapToObj(i -> AuditEvent.builder().action("flag.toggled").actorId("alice-subject")
                .actorType(ActorType.USER).actorRoles(List.of("flag-editor")).sourceService("flag-api").project("shop")
                .flagId(flag).environment("production")
                .previousState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 != 0))
                .correlationId("batch-" + i).reason("batch test " + i).build()).toList();
    }

    private static byte[] bytes(AuditEvent e) {
        return EventJson.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes to one partition (one key), in order; returns where each record landed. */
    private static List<RecordMetadata> publish(String flag, byte[]... values) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>();
            for (byte[] v : values) {
                futures.add(producer.send(new ProducerRecord<>("flag.changes", "shop/" + flag, v)));
            }
            for (var f : futures) {
                sent.add(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sent;
    }
}
