package io.flagledger.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.AuditProcess;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.internal.Processes;
import io.flagledger.testsupport.kafka.KafkaBroker;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Real Kafka, real PostgreSQL, the packaged audit-service in its own JVM. While events stream in, audit-service is
 * killed with SIGKILL in the middle of its batches and restarted, then the broker is stopped and restarted. At the
 * end every published event is in the ledger exactly once, the sequence is dense, and a checkpoint covers it all.
 */
class IngestionRobustnessIT {

    private static final int EVENTS = 3000;
    private static final String KEY_ID = "flag-api-it";

    @Test
    void noLossNoDuplicatesAcrossACrashAndABrokerRestart() throws Exception {
        KeyPair producerKey = Ed25519Keys.generate();
        KeyPair checkpointKey = Ed25519Keys.generate();
        EventSigner signer = new EventSigner(KEY_ID, producerKey.getPrivate());
        Path work = Files.createTempDirectory("audit-robustness");
        int kafkaPort = Processes.freePort();
        Map<String, String> config = Map.of("mp.messaging.incoming.audited-events.max.poll.records", "50",
                "flagledger.checkpoint.interval", "1s");
        KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), Duration.ofSeconds(90), kafkaPort);
        try (PostgresDatabase db = PostgresDatabase.create("audit_it");
             Connection sql = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            kafka.createTopics(Map.of("flag.changes", 3, "approval.events", 1, "monitor.actions", 1, "security.events", 1));
            AuditProcess audit = AuditProcess.start(work.resolve("audit"), db, kafka.bootstrapServers(), KEY_ID, producerKey,
                    checkpointKey, config);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                for (int i = 0; i < EVENTS; i++) {
                    AuditEvent e = signer.sign(event(i));
                    sent.add(producer.send(new ProducerRecord<>("flag.changes", "shop/" + e.flagId(),
                            EventJson.toJson(e).getBytes(StandardCharsets.UTF_8))));
                    if (i == EVENTS / 3) {
                        producer.flush();
                        awaitCount(sql, 50, Duration.ofSeconds(60)); // ingesting: batches are in flight
                        audit.kill();
                        audit = AuditProcess.start(work.resolve("audit"), db, kafka.bootstrapServers(), KEY_ID,
                                producerKey, checkpointKey, config);
                    }
                    if (i == 2 * EVENTS / 3) {
                        producer.flush();
                        kafka.close();
                        kafka = KafkaBroker.start(work.resolve("kafka"), Duration.ofSeconds(90), kafkaPort);
                    }
                }
                producer.flush();
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(); // every event was acknowledged by the broker: these are the "count in"
            }
            awaitCount(sql, EVENTS, Duration.ofMinutes(3));
            try (ResultSet r = sql.createStatement().executeQuery("""
                    select count(*) filter (where source_topic = 'flag.changes'),
                           count(distinct event_id) filter (where source_topic = 'flag.changes'),
                           count(*), min(seq), max(seq),
                           (select count(*) from quarantined_event)
                    from ledger_entry""")) {
                r.next();
                assertThat(r.getLong(1)).as("events in the ledger").isEqualTo(EVENTS);
                assertThat(r.getLong(2)).as("distinct event ids").isEqualTo(EVENTS);
                assertThat(r.getLong(4)).as("first seq").isEqualTo(1);
                assertThat(r.getLong(5)).as("last seq (dense: equals the row count)").isEqualTo(r.getLong(3));
                assertThat(r.getLong(6)).as("quarantined").isZero();
            }
            long total = count(sql, "select count(*) from ledger_entry");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count(sql, "select coalesce(max(tree_size), 0) from checkpoint") < total && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(count(sql, "select coalesce(max(tree_size), 0) from checkpoint")).as("checkpointed").isGreaterThanOrEqualTo(total);
            audit.close();
        } finally {
            kafka.close();
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.LINGER_MS_CONFIG, 2);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static void awaitCount(Connection sql, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(sql, "select count(*) from ledger_entry where source_topic = 'flag.changes'") < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " events reached the ledger within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static long count(Connection sql, String query) throws Exception {
        try (ResultSet r = sql.createStatement().executeQuery(query)) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0; // not migrated yet
        }
    }

    private static AuditEvent event(int i) {
        return AuditEvent.builder().action("flag.toggled").actorId("it-user").actorType(ActorType.USER)
                .sourceService("flag-api").project("shop").flagId("flag-" + (i % 20)).environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                .correlationId("it-" + i).reason("robustness " + i).build();
    }
}
