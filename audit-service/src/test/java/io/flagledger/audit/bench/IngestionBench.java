package io.flagledger.audit.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.AuditProcess;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.testsupport.kafka.KafkaBroker;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;

/**
 * Sustained ingestion rate, Kafka to committed and checkpointed ledger, of the packaged audit-service in its own
 * JVM, next to the raw batched INSERT rate of the same PostgreSQL measured here with the same row shape and
 * batch size. Not a test: run {@code audit-service/bench/ingestion.sh [events] [batch]}.
 *
 * <p>The N signed events are published before audit-service starts, so it ingests a full backlog at its own
 * pace; the rate is N over the time from the first entry's {@code received_at} to the {@code signed_at} of the
 * first checkpoint covering all N (database clocks: JVM start-up is not counted, checkpointing is).
 */
public final class IngestionBench {

    private static final String KEY_ID = "flag-api-bench";
    private static final List<String> TOPICS = List.of("flag.changes", "approval.events", "monitor.actions", "security.events");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        KeyPair producer = Ed25519Keys.generate();
        List<AuditEvent> events = sign(producer, n);
        Path work = Files.createTempDirectory("audit-ingestion-bench");
        try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), Duration.ofSeconds(90));
             PostgresDatabase db = PostgresDatabase.create("audit_bench");
             PostgresDatabase raw = PostgresDatabase.create("audit_bench_raw")) {
            kafka.createTopics(Map.of("flag.changes", 3, "approval.events", 1, "monitor.actions", 1, "security.events", 1));
            publish(kafka.bootstrapServers(), events);
            System.out.printf("published %,d signed events to flag.changes (3 partitions)%n", n);

            double rawRate = rawInserts(raw, events, batch);
            System.out.printf("raw batched INSERT (unnest, %d rows per transaction, same columns and indexes): %,.0f rows/s%n",
                    batch, rawRate);

            try (AuditProcess audit = AuditProcess.start(work.resolve("audit"), db, kafka.bootstrapServers(), KEY_ID, producer,
                    Ed25519Keys.generate(), Map.of("mp.messaging.incoming.audited-events.max.poll.records", String.valueOf(batch),
                            "flagledger.checkpoint.interval", "1s", "quarkus.log.level", "WARN"))) {
                double rate = awaitIngested(db, n);
                System.out.printf("audit-service ingestion (verify signatures, append in batches of up to %d, Merkle nodes, "
                        + "checkpoints every 1,000 events or 1 s, offsets after commit): %,.0f events/s%n", batch, rate);
                System.out.printf("ratio: %.0f%% of the raw INSERT rate%n", 100 * rate / rawRate);
            }
        }
    }

    private static List<AuditEvent> sign(KeyPair producer, int n) {
        EventSigner signer = new EventSigner(KEY_ID, producer.getPrivate());
        List<AuditEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(signer.sign(AuditEvent.builder().action("flag.toggled").actorId("bench-user").actorType(ActorType.USER)
                    .actorRoles(List.of("flag-editor")).sourceService("flag-api").project("shop").flagId("flag-" + (i % 1000))
                    .environment("production").previousState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                    .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 != 0))
                    .correlationId("bench-" + i).reason("benchmark change " + i).build()));
        }
        return out;
    }

    private static void publish(String bootstrap, List<AuditEvent> events) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (AuditEvent e : events) {
                p.send(new ProducerRecord<>("flag.changes", "shop/" + e.flagId(), EventJson.toJson(e).getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
    }

    /** The same INSERT ... SELECT FROM unnest(...) the ledger uses, without verification, lock or tree: the ceiling. */
    private static double rawInserts(PostgresDatabase db, List<AuditEvent> events, int batch) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.username(), db.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "flagledger_audit_writer")).load().migrate();
        Vertx vertx = Vertx.vertx();
        PgConnectOptions options = PgConnectOptions.fromUri(db.reactiveUrl()).setUser(db.username()).setPassword(db.password());
        Pool pool = PgPool.pool(vertx, options, new PoolOptions().setMaxSize(1));
        String insert = """
                insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                    source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                    project, flag_id, environment, correlation_id)
                select s, e, c, h, now(), 'flag.changes', 0, s, oc, 'flag-api', 'flag.toggled', 'bench-user', 'user',
                    'shop', f, 'production', co
                from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::timestamptz[], $6::text[], $7::text[])
                    as u(s, e, c, h, oc, f, co)""";
        try {
            // Rows are prepared first, so the timed loop is the database's work (and the client's round trips) only.
            List<Tuple> batches = new ArrayList<>();
            for (int from = 0; from < events.size(); from += batch) {
                int to = Math.min(events.size(), from + batch);
                int k = to - from;
                Long[] seq = new Long[k];
                UUID[] ids = new UUID[k];
                String[] canonical = new String[k];
                Buffer[] leaves = new Buffer[k];
                OffsetDateTime[] occurred = new OffsetDateTime[k];
                String[] flags = new String[k];
                String[] correlations = new String[k];
                for (int i = 0; i < k; i++) {
                    AuditEvent e = events.get(from + i);
                    byte[] bytes = EventJson.canonicalBytes(e);
                    seq[i] = (long) from + i + 1;
                    ids[i] = UUID.fromString(e.eventId());
                    canonical[i] = new String(bytes, StandardCharsets.UTF_8);
                    leaves[i] = Buffer.buffer(MerkleHash.leaf(bytes));
                    occurred[i] = OffsetDateTime.ofInstant(e.timestamp(), ZoneOffset.UTC);
                    flags[i] = e.flagId();
                    correlations[i] = e.correlationId();
                }
                batches.add(Tuple.tuple().addValue(seq).addValue(ids).addValue(canonical).addValue(leaves)
                        .addValue(occurred).addValue(flags).addValue(correlations));
            }
            long begin = System.nanoTime();
            for (Tuple values : batches) {
                pool.withTransaction(tx -> tx.preparedQuery(insert).execute(values)).await().indefinitely();
            }
            return events.size() / ((System.nanoTime() - begin) / 1e9);
        } finally {
            pool.close().await().indefinitely();
            vertx.close().await().indefinitely();
        }
    }

    private static double awaitIngested(PostgresDatabase db, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            long lastReport = 0;
            while (System.nanoTime() < deadline) {
                try (ResultSet r = c.createStatement().executeQuery("""
                        select (select count(*) from ledger_entry where source_topic = 'flag.changes'),
                               (select extract(epoch from (select min(signed_at) from checkpoint where tree_size >= %d)
                                    - (select min(received_at) from ledger_entry)))""".formatted(n))) {
                    r.next();
                    long count = r.getLong(1);
                    double seconds = r.getDouble(2);
                    if (!r.wasNull()) {
                        if (count != n) {
                            throw new IllegalStateException("ledger holds " + count + " bench entries, expected " + n);
                        }
                        return n / seconds;
                    }
                    if (System.nanoTime() - lastReport > 10_000_000_000L) {
                        System.out.printf("  ... %,d of %,d in the ledger%n", count, n);
                        lastReport = System.nanoTime();
                    }
                } catch (java.sql.SQLException e) {
                    // tables not migrated yet
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("audit-service did not ingest " + n + " events in 30 minutes");
    }
}
