package io.flagledger.audit.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.AuditProcess;
import io.flagledger.audit.ledger.EntryColumns;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.testsupport.kafka.KafkaBroker;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Sustained ingestion rate, Kafka to committed and checkpointed ledger, of the packaged audit-service in its own
 * JVM, next to the raw batched rate of the same rows into the same PostgreSQL: the ledger's own multi-row INSERT
 * ({@link Ledger#APPEND}, {@link Ledger#rows}) and COPY, each with the same batch size, one transaction per batch,
 * without verification, lock, duplicate check or tree. Not a test: run
 * {@code audit-service/bench/ingestion.sh [events] [batch] [batch|event]}: the events carry one batch signature
 * per 100 events (schema version 2, as the outbox relay signs them; the default) or one signature each (version 1).
 *
 * <p>The N signed events are published before audit-service starts, so it ingests a full backlog at its own
 * pace; the rate is N over the time from the first entry's {@code received_at} to the {@code signed_at} of the
 * first checkpoint covering all N (database clocks: JVM start-up is not counted, checkpointing is). CPU seconds
 * (user + system, from /proc) are taken over the same window: audit-service's process (also by thread: verifier
 * pool, event loop, Kafka poll thread, JIT compilers, GC), the Kafka broker, and the PostgreSQL backends serving
 * the database; the server's background writers are shared with every database and reported apart. The same
 * figures are printed for the steady state: from when a fifth of the events are in to that checkpoint. The raw
 * INSERT is run again after ingestion, into a fresh database, and the ratios are also given to the mean of both
 * runs: the machine's pace drifts over minutes.
 */
public final class IngestionBench {

    private static final String KEY_ID = "flag-api-bench";
    /** Events per batch signature (v2), as the outbox relay sends them. */
    private static final int SIGNED_BATCH = 100;
    private static final List<String> TOPICS = List.of("flag.changes", "approval.events", "monitor.actions", "security.events");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        boolean perEvent = args.length > 2 && args[2].equals("event");
        if (args.length > 2 && !perEvent && !args[2].equals("batch")) {
            throw new IllegalArgumentException("signatures: 'batch' (v2, one per " + SIGNED_BATCH + " events) or 'event' (v1)");
        }
        System.out.printf("load average at start: %s%n", loadAverage());
        KeyPair producer = Ed25519Keys.generate();
        List<byte[]> records = sign(producer, n, perEvent);
        System.out.printf("signatures: %s%n", perEvent ? "one per event (schema version 1)"
                : "one per batch of " + SIGNED_BATCH + " events, as the outbox relay signs (schema version 2)");
        Path work = Files.createTempDirectory("audit-ingestion-bench");
        try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), Duration.ofSeconds(90));
             PostgresDatabase db = PostgresDatabase.create("audit_bench");
             PostgresDatabase rawInsert = PostgresDatabase.create("audit_bench_insert");
             PostgresDatabase rawCopy = PostgresDatabase.create("audit_bench_copy");
             PostgresDatabase appendOnly = PostgresDatabase.create("audit_bench_append");
             PostgresDatabase rawInsertAfter = PostgresDatabase.create("audit_bench_insert_after")) {
            kafka.createTopics(Map.of("flag.changes", 3, "approval.events", 1, "monitor.actions", 1, "security.events", 1));
            publish(kafka.bootstrapServers(), records);
            System.out.printf("published %,d signed events to flag.changes (3 partitions)%n", n);

            RowSource rows = new RowSource(records);
            Raw insert = rawInserts(rawInsert, rows, batch);
            System.out.printf("raw batched INSERT (the ledger's unnest statement, %d rows per transaction): %,.0f rows/s, "
                    + "PostgreSQL %.3f CPU s per 1,000 rows%n", batch, insert.rate(), insert.pgCpuPer1000());
            Raw copy = rawCopy(rawCopy, rows, batch);
            System.out.printf("raw batched COPY (same rows, %d rows per transaction): %,.0f rows/s, "
                    + "PostgreSQL %.3f CPU s per 1,000 rows%n", batch, copy.rate(), copy.pgCpuPer1000());
            Raw appends = ledgerAppends(appendOnly, rows, batch);
            System.out.printf("the ledger's append alone (same rows, %d per append: lock, tree check, rows and Merkle nodes, "
                    + "commit; each sent once the previous one holds the lock, as the ingestor does; no Kafka, no verification): %,.0f rows/s, %.0f%% of the "
                    + "raw INSERT rate, PostgreSQL %.3f CPU s per 1,000 rows%n", batch, appends.rate(),
                    100 * appends.rate() / insert.rate(), appends.pgCpuPer1000());
            double ceiling = Math.max(insert.rate(), copy.rate());
            Run run;

            try (AuditProcess audit = AuditProcess.start(work.resolve("audit"), db, kafka.bootstrapServers(), KEY_ID, producer,
                    // The hourly self-check, which re-reads and re-verifies the whole ledger, starts 1 minute after
                    // start-up: in the middle of a long run. It is not ingestion's cost, so it is put off here.
                    Ed25519Keys.generate(), Map.of("mp.messaging.incoming.audited-events.max.poll.records", String.valueOf(batch),
                            "flagledger.checkpoint.interval", "1s", "quarkus.log.level", "WARN",
                            "flagledger.selfcheck.delay", "24h"))) {
                run = awaitIngested(db, n, audit.pid(), brokerPid());
                Ingested r = run.all();
                System.out.printf("audit-service ingestion (verify signatures, append in batches of up to %d, Merkle nodes, "
                        + "checkpoints every 1,000 events or 1 s, offsets after commit): %,.0f events/s over %,d events%n",
                        batch, r.rate(), n);
                System.out.printf("ratio: %.0f%% of the raw INSERT rate, %.0f%% of the better raw rate (%,.0f rows/s)%n",
                        100 * r.rate() / insert.rate(), 100 * r.rate() / ceiling, ceiling);
                report("over the last " + String.format("%,d", r.measured()) + " events", r);
                Ingested steady = run.steady();
                System.out.printf("steady state (the last %,d events, after the first fifth warmed the JIT up): %,.0f events/s, "
                        + "%.0f%% of the raw INSERT rate%n", steady.measured(), steady.rate(), 100 * steady.rate() / insert.rate());
                report("steady state", steady);
                System.out.println(phases(audit.port()));
            }
            // The machine's pace drifts over minutes (the raw INSERT of the same rows varied by a quarter within an
            // hour), so the baseline is taken again once ingestion is over and the ratio is also given to the mean.
            Raw after = rawInserts(rawInsertAfter, rows, batch);
            double mean = (insert.rate() + after.rate()) / 2;
            System.out.printf("raw batched INSERT again, after ingestion (same rows, fresh database): %,.0f rows/s, PostgreSQL "
                    + "%.3f CPU s per 1,000 rows; before and after: mean %,.0f rows/s%n", after.rate(), after.pgCpuPer1000(), mean);
            System.out.printf("ratio to the raw INSERT before / after / their mean: whole run %.0f%% / %.0f%% / %.0f%%, steady "
                    + "state %.0f%% / %.0f%% / %.0f%%%n", 100 * run.all().rate() / insert.rate(), 100 * run.all().rate() / after.rate(),
                    100 * run.all().rate() / mean, 100 * run.steady().rate() / insert.rate(),
                    100 * run.steady().rate() / after.rate(), 100 * run.steady().rate() / mean);
            System.out.printf("load average at end: %s%n", loadAverage());
        }
    }

    private static void report(String window, Ingested r) {
        System.out.printf("CPU s per 1,000 events (%s): audit-service %.3f, PostgreSQL backends %.3f (server background "
                + "processes, shared: %.3f), Kafka broker %.3f%n", window, 1000 * r.auditCpu() / r.measured(),
                1000 * r.pgCpu() / r.measured(), 1000 * r.pgBackgroundCpu() / r.measured(), 1000 * r.brokerCpu() / r.measured());
        System.out.printf("  audit-service CPU ms per 1,000 events by thread (%s): %s%n", window, r.byThread().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                .map(e -> "%s %.1f".formatted(e.getKey(), 1e6 * e.getValue() / r.measured()))
                .collect(java.util.stream.Collectors.joining(", ")));
    }

    /**
     * Where a poll's wall time goes in audit-service (its {@code flagledger.audit.ingest.phase} timers over the run):
     * waiting for Kafka, verifying, waiting until its append can be sent, and the write itself (which includes
     * waiting in the database for the previous commit); and how many polls were written ahead or the ordinary way.
     */
    private static String phases(int port) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, double[]> byPhase = new java.util.LinkedHashMap<>(); // count, sum of seconds
        for (String phase : List.of("poll", "verify", "wait", "write")) {
            byPhase.put(phase, new double[2]);
        }
        Matcher m = Pattern.compile("(?m)^flagledger_audit_ingest_phase_seconds_(count|sum)\\{[^}]*phase=\"(\\w+)\"[^}]*} (\\S+)$")
                .matcher(metrics.body());
        while (m.find()) {
            double[] v = byPhase.get(m.group(2));
            if (v != null) {
                v[m.group(1).equals("count") ? 0 : 1] = Double.parseDouble(m.group(3));
            }
        }
        Map<String, Double> ways = new java.util.TreeMap<>();
        Matcher w = Pattern.compile("(?m)^flagledger_audit_ingest_writes_total\\{[^}]*way=\"(\\w+)\"[^}]*} (\\S+)$").matcher(metrics.body());
        while (w.find()) {
            ways.put(w.group(1), Double.parseDouble(w.group(2)));
        }
        double polls = byPhase.get("verify")[0];
        return "audit-service wall time per poll (" + String.format("%,.0f", polls) + " polls, mean ms): " + byPhase.entrySet()
                .stream().map(e -> "%s %.2f".formatted(e.getKey(), e.getValue()[0] == 0 ? 0 : 1000 * e.getValue()[1] / e.getValue()[0]))
                .collect(java.util.stream.Collectors.joining(", "))
                + " (a write includes waiting in the database for the previous commit)\npolls written: " + ways.entrySet().stream()
                .map(e -> "%s %,.0f".formatted(e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", "))
                + " (ahead: sent before the previous poll committed, on the tree it makes; ordinary: after it)";
    }

    /**
     * The N signed events as the records a producer publishes (their canonical bytes): only these are kept, so that
     * a run of several million events fits in the bench's heap; each phase derives its rows from them as it goes.
     */
    private static List<byte[]> sign(KeyPair producer, int n, boolean perEvent) {
        EventSigner signer = new EventSigner(KEY_ID, producer.getPrivate());
        // Signing is the producers' cost, not the ledger's: spread over the cores so a large N starts soon.
        if (perEvent) {
            return IntStream.range(0, n).parallel().mapToObj(i -> EventJson.canonicalBytes(signer.sign(unsigned(i)))).toList();
        }
        return IntStream.range(0, (n + SIGNED_BATCH - 1) / SIGNED_BATCH).parallel()
                .mapToObj(b -> signer.signBatch(IntStream.range(b * SIGNED_BATCH, Math.min(n, (b + 1) * SIGNED_BATCH))
                        .mapToObj(IngestionBench::unsigned).toList()))
                .flatMap(List::stream).map(EventJson::canonicalBytes).toList();
    }

    /**
     * The rows of the raw baselines, derived from the records a chunk at a time (parsed as the ledger would store
     * them), outside the timed loops: a million rows held at once would need most of the heap.
     */
    record RowSource(List<byte[]> records) {
        /** Rows per chunk; a batch size that divides it keeps every batch full. */
        static final int CHUNK = 50_000;

        int size() {
            return records.size();
        }

        List<Ledger.Admitted> chunk(int from) {
            return IntStream.range(from, Math.min(size(), from + CHUNK)).parallel()
                    .mapToObj(i -> new Ledger.Admitted(EventJson.parse(records.get(i)), records.get(i),
                            new SourcePosition("flag.changes", 0, 0L)))
                    .toList();
        }
    }

    private static AuditEvent unsigned(int i) {
        return AuditEvent.builder().action("flag.toggled")
                .actorId("bench-user").actorType(ActorType.USER).actorRoles(List.of("flag-editor")).sourceService("flag-api")
                .project("shop").flagId(flagId(i)).environment("production")
                .previousState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 != 0))
                .correlationId("bench-" + i).reason("benchmark change " + i).build();
    }

    private static String flagId(int i) {
        return "flag-" + (i % 1000);
    }

    private static void publish(String bootstrap, List<byte[]> records) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records.size(); i++) {
                p.send(new ProducerRecord<>("flag.changes", "shop/" + flagId(i), records.get(i)));
            }
            p.flush();
        }
    }

    record Raw(double rate, double pgCpuPer1000) {
    }

    /**
     * The ledger's own INSERT of the same rows, without verification, lock, duplicate check or tree (no nodes, see
     * {@link #withoutTree}): a ceiling.
     */
    private static Raw rawInserts(PostgresDatabase db, RowSource rows, int batch) throws Exception {
        return withPool(db, 1, (pool, monitor) -> {
            withoutTree(monitor);
            pool.withConnection(c -> c.query("select 1").execute()).await().indefinitely();
            PgCpu cpu = new PgCpu(monitor);
            long nanos = 0;
            for (int first = 0; first < rows.size(); first += RowSource.CHUNK) {
                // A chunk's rows are prepared first, so the timed loop is the database's work (and the client's round
                // trips) only.
                List<Ledger.Admitted> chunk = rows.chunk(first);
                List<Tuple> batches = new ArrayList<>();
                for (int from = 0; from < chunk.size(); from += batch) {
                    List<Ledger.Admitted> b = chunk.subList(from, Math.min(chunk.size(), from + batch));
                    batches.add(Ledger.rows(first + from, b).values().addValue(new io.vertx.core.buffer.Buffer[b.size()]));
                }
                long begin = System.nanoTime();
                for (Tuple values : batches) {
                    pool.withTransaction(tx -> tx.preparedQuery(Ledger.APPEND).execute(values)).await().indefinitely();
                }
                nanos += System.nanoTime() - begin;
            }
            return new Raw(rows.size() / (nanos / 1e9), 1000 * cpu.backends() / rows.size());
        });
    }

    /**
     * {@link Ledger#appendAt} of the same rows, each append sent once the previous one holds the append lock (as
     * the ingestor does): the ledger's write path without Kafka and verification, i.e. what its tree
     * nodes and checks cost over the raw INSERT.
     */
    private static Raw ledgerAppends(PostgresDatabase db, RowSource rows, int batch) throws Exception {
        return withPool(db, 3, (pool, monitor) -> {
            Ledger ledger = new Ledger(pool, new io.flagledger.audit.merkle.MerkleStore());
            pool.withConnection(c -> c.query("select 1").execute()).await().indefinitely();
            PgCpu cpu = new PgCpu(monitor);
            long nanos = 0;
            Ledger.Frontier tree = new Ledger.Frontier(0, List.of());
            for (int first = 0; first < rows.size(); first += RowSource.CHUNK) {
                List<Ledger.Admitted> chunk = rows.chunk(first);
                long begin = System.nanoTime();
                // Each chunk's appends are drained before the next chunk is derived: its time is not counted.
                java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Ledger.Outcome>> sent = new java.util.ArrayDeque<>();
                for (int from = 0; from < chunk.size(); from += batch) {
                    Ledger.Attempt attempt = ledger.appendAt(tree, chunk.subList(from, Math.min(chunk.size(), from + batch)));
                    tree = attempt.after();
                    sent.add(attempt.outcome().subscribeAsCompletionStage());
                    attempt.locked().join();
                    if (sent.size() > 2 && sent.removeFirst().join() == null) {
                        throw new IllegalStateException("an append found another tree than the one it was sent on");
                    }
                }
                for (var s : sent) {
                    if (s.join() == null) {
                        throw new IllegalStateException("an append found another tree than the one it was sent on");
                    }
                }
                nanos += System.nanoTime() - begin;
            }
            return new Raw(rows.size() / (nanos / 1e9), 1000 * cpu.backends() / rows.size());
        });
    }

    interface PoolWork {
        Raw run(Pool pool, Connection monitor) throws Exception;
    }

    /** A migrated database, a reactive pool of {@code size} connections to it and a JDBC connection to watch its CPU. */
    private static Raw withPool(PostgresDatabase db, int size, PoolWork work) throws Exception {
        migrate(db);
        Vertx vertx = Vertx.vertx();
        PgConnectOptions options = PgConnectOptions.fromUri(db.reactiveUrl()).setUser(db.username()).setPassword(db.password());
        Pool pool = PgPool.pool(vertx, options, new PoolOptions().setMaxSize(size));
        try (Connection monitor = connect(db)) {
            return work.run(pool, monitor);
        } finally {
            pool.close().await().indefinitely();
            vertx.close().await().indefinitely();
        }
    }

    /** COPY of the same rows (text format), one transaction per batch. */
    private static Raw rawCopy(PostgresDatabase db, RowSource rows, int batch) throws Exception {
        migrate(db);
        try (Connection c = connect(db); Connection monitor = connect(db)) {
            withoutTree(c);
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            PgCpu cpu = new PgCpu(monitor);
            long nanos = 0;
            for (int first = 0; first < rows.size(); first += RowSource.CHUNK) {
                List<Ledger.Admitted> chunk = rows.chunk(first);
                List<String> batches = new ArrayList<>();
                for (int from = 0; from < chunk.size(); from += batch) {
                    StringBuilder text = new StringBuilder();
                    for (int i = from; i < Math.min(chunk.size(), from + batch); i++) {
                        copyLine(text, first + i + 1, chunk.get(i));
                    }
                    batches.add(text.toString());
                }
                long begin = System.nanoTime();
                for (String text : batches) {
                    copy.copyIn("copy ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic, "
                            + "source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type, project, "
                            + "flag_id, environment, correlation_id, channel) from stdin", new StringReader(text));
                    c.commit();
                }
                nanos += System.nanoTime() - begin;
            }
            return new Raw(rows.size() / (nanos / 1e9), 1000 * cpu.backends() / rows.size());
        }
    }

    private static void copyLine(StringBuilder out, long seq, Ledger.Admitted a) {
        EntryColumns c = EntryColumns.of(a.event());
        String leaf = HexFormat.of().formatHex(MerkleHash.leaf(a.canonical()));
        List<Object> fields = Arrays.asList(seq, c.eventId(), new String(a.canonical(), StandardCharsets.UTF_8), "\\\\x" + leaf,
                OffsetDateTime.now(ZoneOffset.UTC), a.position().topic(), a.position().partition(), a.position().offset(),
                c.occurredAtUtc(), c.sourceService(), c.action(), c.actorId(), c.actorType(), c.project(), c.flagId(),
                c.environment(), c.correlationId(), c.channel());
        for (int i = 0; i < fields.size(); i++) {
            Object f = fields.get(i);
            out.append(i == 0 ? "" : "\t");
            if (f == null) {
                out.append("\\N");
            } else if (i == 3) {
                out.append(f); // bytea hex, its backslash already doubled for COPY
            } else {
                out.append(f.toString().replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"));
            }
        }
        out.append('\n');
    }

    private static void migrate(PostgresDatabase db) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.username(), db.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "flagledger_audit_writer")).load().migrate();
    }

    /**
     * Lets the raw baselines store rows without their tree nodes: ledger_entry's constraint requires the nodes each
     * entry completes, which only the ledger computes.
     */
    private static void withoutTree(Connection c) throws java.sql.SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("alter table ledger_entry drop constraint ledger_entry_nodes");
            // COPY leaves nodes out, which the column's default refuses (it stops writers older than the column)
            st.execute("alter table ledger_entry alter column nodes drop default");
        }
    }

    private static Connection connect(PostgresDatabase db) throws java.sql.SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
    }

    /**
     * CPU seconds of the PostgreSQL processes serving one database (its backends other than the monitoring one,
     * sampled with {@link #sample()}: a backend's time counts from when it was first seen, or from its start if it
     * appeared later) and of the server's background writers (shared by every database on the server).
     */
    static final class PgCpu {
        private final Connection monitor;
        private final Map<Long, Double> first = new HashMap<>();
        private final Map<Long, Double> last = new HashMap<>();
        private final Map<Long, Double> backgroundFirst = new HashMap<>();
        private final Map<Long, Double> backgroundLast = new HashMap<>();
        private boolean started;

        PgCpu(Connection monitor) throws java.sql.SQLException {
            this.monitor = monitor;
            sample();
            started = true;
        }

        void sample() throws java.sql.SQLException {
            try (ResultSet r = monitor.createStatement().executeQuery("""
                    select pid, datname = current_database() from pg_stat_activity
                    where pid <> pg_backend_pid() and (datname = current_database()
                        or backend_type in ('walwriter', 'checkpointer', 'background writer'))""")) {
                while (r.next()) {
                    long pid = r.getLong(1);
                    double cpu = cpuSeconds(pid);
                    Map<Long, Double> firstOf = r.getBoolean(2) ? first : backgroundFirst;
                    firstOf.putIfAbsent(pid, started ? 0 : cpu);
                    (r.getBoolean(2) ? last : backgroundLast).put(pid, cpu);
                }
            }
        }

        double backends() throws java.sql.SQLException {
            sample();
            return last.entrySet().stream().mapToDouble(e -> e.getValue() - first.get(e.getKey())).sum();
        }

        double background() {
            return backgroundLast.entrySet().stream().mapToDouble(e -> e.getValue() - backgroundFirst.get(e.getKey())).sum();
        }
    }

    /** User + system CPU seconds of a process (0 if it is gone), from /proc/PID/stat. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU seconds of each live thread of a process by thread id, with its name (digits replaced by {@code #}, so a
     * pool's threads add up): where audit-service's time goes (verifier pool, event loop, Kafka poll thread, JIT
     * compiler, GC) without a profiler.
     */
    static Map<Long, Map.Entry<String, Double>> threadCpu(long pid) {
        Map<Long, Map.Entry<String, Double>> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    long tid = Long.parseLong(task.getFileName().toString());
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(tid, Map.entry(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0));
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            // the process is gone
        }
        return out;
    }

    /** CPU seconds per thread name between two {@link #threadCpu} samples (threads that ended meanwhile are lost). */
    static Map<String, Double> threadCpuSince(Map<Long, Map.Entry<String, Double>> start, Map<Long, Map.Entry<String, Double>> end) {
        Map<String, Double> byName = new HashMap<>();
        end.forEach((tid, e) -> byName.merge(e.getKey(), e.getValue() - (start.containsKey(tid) ? start.get(tid).getValue() : 0),
                Double::sum));
        return byName;
    }

    /** The Kafka broker's JVM, a child of this one (KafkaBroker starts io.flagledger.kafka.BrokerMain); 0 if not found. */
    static long brokerPid() {
        // Read /proc directly: ProcessHandle.Info leaves out a command line as long as the broker's classpath.
        return ProcessHandle.current().descendants().mapToLong(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).contains("io.flagledger.kafka.BrokerMain");
            } catch (java.io.IOException e) {
                return false;
            }
        }).findFirst().orElse(0);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Rate and CPU seconds over one window of the run, {@code measured} events long. */
    record Ingested(double rate, long measured, double auditCpu, double pgCpu, double pgBackgroundCpu, double brokerCpu,
                    Map<String, Double> byThread) {
    }

    /** The CPU counters at a window's start; {@code at} is the database clock's epoch seconds. */
    private static final class Window {
        final long count;
        final double at;
        final PgCpu pg;
        final double audit;
        final double broker;
        final Map<Long, Map.Entry<String, Double>> threads;
        final long auditPid;
        final long brokerPid;

        Window(Connection monitor, long count, double at, long auditPid, long brokerPid) throws java.sql.SQLException {
            this.count = count;
            this.at = at;
            this.auditPid = auditPid;
            this.brokerPid = brokerPid;
            pg = new PgCpu(monitor);
            audit = cpuSeconds(auditPid);
            broker = cpuSeconds(brokerPid);
            threads = threadCpu(auditPid);
        }

        Ingested close(long n, double seconds) throws java.sql.SQLException {
            return new Ingested((n - count) / seconds, n - count, cpuSeconds(auditPid) - audit, pg.backends(), pg.background(),
                    cpuSeconds(brokerPid) - broker, threadCpuSince(threads, threadCpu(auditPid)));
        }
    }

    /**
     * Two windows of one run: {@code all}, from the first entry's {@code received_at} (rate) or the first committed
     * poll (CPU) to the checkpoint covering all N, as measured before; and {@code steady}, from when a fifth of the
     * events are in (the JIT compilers have done most of their work) to that checkpoint.
     */
    record Run(Ingested all, Ingested steady) {
    }

    private static Run awaitIngested(PostgresDatabase db, int n, long auditPid, long brokerPid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        try (Connection c = connect(db)) {
            long lastReport = 0;
            Window all = null;
            Window steady = null;
            while (System.nanoTime() < deadline) {
                // Progress is read off the primary key (max(seq)): counting the bench's rows scans the whole table,
                // which at this rate took a third of a core away from what is measured. The exact count is taken
                // only once a checkpoint covers n entries.
                try (ResultSet r = c.createStatement().executeQuery("""
                        select (select coalesce(max(seq), 0) from ledger_entry),
                               extract(epoch from clock_timestamp()),
                               (select extract(epoch from (select min(signed_at) from checkpoint where tree_size >= %d))),
                               (select extract(epoch from (select min(received_at) from ledger_entry where seq = 1)))""".formatted(n))) {
                    r.next();
                    long count = r.getLong(1);
                    double now = r.getDouble(2);
                    double signedAt = r.getDouble(3);
                    boolean done = !r.wasNull();
                    double firstReceived = r.getDouble(4);
                    if (all == null && count > 0) { // the CPU window opens with the first committed poll
                        all = new Window(c, count, firstReceived, auditPid, brokerPid);
                    } else if (all != null) {
                        all.pg.sample();
                    }
                    if (steady == null && count >= n / 5 && !done) {
                        steady = new Window(c, count, now, auditPid, brokerPid);
                    } else if (steady != null) {
                        steady.pg.sample();
                    }
                    if (done) {
                        try (ResultSet exact = c.createStatement().executeQuery(
                                "select count(*) from ledger_entry where source_topic = 'flag.changes'")) {
                            exact.next();
                            count = exact.getLong(1);
                        }
                        if (count != n) {
                            throw new IllegalStateException("ledger holds " + count + " bench entries, expected " + n);
                        }
                        Ingested whole = all.close(n, signedAt - firstReceived);
                        // The rate over all N counts from the first entry, not from the first poll the bench saw.
                        whole = new Ingested(n / (signedAt - firstReceived), whole.measured(), whole.auditCpu(), whole.pgCpu(),
                                whole.pgBackgroundCpu(), whole.brokerCpu(), whole.byThread());
                        return new Run(whole, steady == null ? whole : steady.close(n, signedAt - steady.at));
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
        throw new IllegalStateException("audit-service did not ingest " + n + " events in 60 minutes");
    }
}
