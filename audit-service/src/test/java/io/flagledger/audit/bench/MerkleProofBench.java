package io.flagledger.audit.bench;

import io.flagledger.audit.AuditProcess;
import io.flagledger.contract.Ed25519Keys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.flagledger.testsupport.kafka.KafkaBroker;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Inclusion- and consistency-proof latency through audit-service's HTTP endpoints over a ledger of N leaves, driven
 * by wrk ({@code audit-service/bench/proofs.lua}), with a trivial endpoint of the same process as the baseline, and
 * the hourly self-check run between the warm-up and the measured run. Not a test: run
 * {@code audit-service/bench/merkle-proofs.sh [leaves] [seconds] [connections] [new-since-last-self-check]}.
 *
 * <p>The ledger is synthetic: entry {@code g} has payload {@code {"n":g}} and event id
 * {@code 00000000-0000-4000-8000-<g in 12 hex digits>}, so the wrk script can name any entry. Entries and the tree
 * nodes they complete are computed here and streamed in with COPY (bounded: no joins over the table). The service
 * signs its first checkpoint over the whole tree, which the bench waits for.
 *
 * <p>The self-check: as if the previous hourly run had verified the first N - K entries, the bench records that point
 * (size, root, compact range, as a full scan, so the next run is incremental) in selfcheck_point; after the warm-up
 * it runs the incremental self-check through {@code POST /api/v1/audit/selfcheck?scope=incremental&columns=false},
 * which proves the point against the stored tree and reads the K newer entries, their nodes and the checkpoints. Only
 * the Merkle part: the synthetic payloads are not contract events, so the query-column comparison would reject them
 * (the self-check verifies no event signatures either way); the column part reads the same rows and only parses them.
 */
public final class MerkleProofBench {

    private static final List<String> KINDS = List.of("baseline", "inclusion", "consistency");
    /** Seconds of closed-loop load per endpoint before the self-check: the JIT compiles the request paths. */
    private static final int WARM_UP = Integer.getInteger("bench.warmup", 15);
    /** Connections of the paced runs: several clients, each pausing between its requests. */
    private static final int PACED_CONNECTIONS = 4;
    /** Seconds of the same endpoint right before each measured closed-loop run. */
    private static final int REWARM = 5;
    private static final java.util.regex.Pattern PAUSE = java.util.regex.Pattern.compile("Pause .* ([0-9.]+)ms$");
    private static Path gcLog;
    /**
     * The service's JVM as a pod of the chart runs it: the chart's CPU limit of 1 (a JVM in such a container sees one
     * processor: one compiler thread, one GC thread, two event loops) and memory limit of 512Mi, with the options the
     * image's {@code run-java.sh} adds (Parallel collector, heap 80 % of the memory limit). On this machine's two
     * processors the JVM would pick G1 instead, whose concurrent threads share the cores with wrk and PostgreSQL:
     * not what is deployed. {@code POD_JVM= merkle-proofs.sh} measures the JVM's own choice.
     */
    private static final String POD_JVM = System.getProperty("bench.pod-jvm", "-XX:ActiveProcessorCount=1 -Xmx410m "
            + "-XX:+UseParallelGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 "
            + "-XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90");

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long newSinceCheck = args.length > 3 ? Long.parseLong(args[3]) : Math.max(1, n / 100);
        if (newSinceCheck < 0 || newSinceCheck > n) {
            throw new IllegalArgumentException("new-since-last-self-check must be between 0 and " + n);
        }
        System.out.printf("load average at start: %s%n", IngestionBench.loadAverage());
        Path work = Files.createTempDirectory("audit-proof-bench");
        try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"), Duration.ofSeconds(90));
             PostgresDatabase db = PostgresDatabase.create("audit_proof_bench")) {
            kafka.createTopics(Map.of("flag.changes", 1, "approval.events", 1, "monitor.actions", 1, "security.events", 1));
            load(db, n, n - newSinceCheck);
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            KeyPair tokenKey = rsa.generateKeyPair();
            // tokens verified with a local public key (no discovery), as a service behind any OIDC provider would
            Map<String, String> config = Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", "",
                    "quarkus.oidc.public-key", Base64.getEncoder().encodeToString(tokenKey.getPublic().getEncoded()),
                    "flagledger.selfcheck.delay", "24h", "flagledger.checkpoint.interval", "1s",
                    "quarkus.log.level", "WARN");
            // the service's GC pauses, counted per measured window (see gcPauses); the pod's JVM first, so
            // AUDIT_JVM_OPTS can override any of it
            gcLog = work.resolve("audit-gc.log");
            System.setProperty("audit.jvm.options", (POD_JVM + " " + System.getProperty("audit.jvm.options", "")
                    + " -Xlog:gc:file=" + gcLog).trim());
            try (AuditProcess audit = AuditProcess.start(work.resolve("audit"), db, kafka.bootstrapServers(), "unused",
                    Ed25519Keys.generate(), Ed25519Keys.generate(), config)) {
                awaitCheckpoint(db, n);
                String token = token(tokenKey, "audit-reader");
                String url = "http://127.0.0.1:" + audit.port();
                checkOneOfEach(url, n, token, db);
                System.out.printf("audit-service's JVM: %s%n", POD_JVM.isBlank() ? "the JVM's own choice on this machine" : POD_JVM);
                System.out.printf("%,d leaves; wrk, %d connection(s) closed loop, %d s per endpoint, after a %d s warm-up "
                        + "of each, the self-check, and %d s more of the same endpoint; then paced at half of each "
                        + "closed-loop rate with %d connections (two 5 s calibration runs each)%n",
                        n, connections, seconds, WARM_UP, REWARM, PACED_CONNECTIONS);
                for (String kind : KINDS) {
                    wrk(url, kind, n, token, connections, WARM_UP, 0, audit.pid(), db, false);
                }
                selfCheck(url, token(tokenKey, "audit-admin"), audit.pid(), db, n - newSinceCheck);
                List<Measured> runs = new java.util.ArrayList<>();
                for (String kind : KINDS) {
                    // the JIT recompiles what the other endpoints' runs deoptimized: not part of the figure
                    wrk(url, kind, n, token, connections, REWARM, 0, audit.pid(), db, false);
                    runs.add(wrk(url, kind, n, token, connections, seconds, 0, audit.pid(), db, true));
                }
                for (int i = 0; i < KINDS.size(); i++) {
                    runs.add(paced(url, KINDS.get(i), n, token, PACED_CONNECTIONS, seconds, runs.get(i).rps() / 2, audit.pid(), db));
                }
                System.out.printf("%n| endpoint | load | req/s | p50 ms | p99 ms | p99.9 ms | service's own timer | CPU ms/request: "
                        + "service, PostgreSQL, machine | load average before |%n|---|---|---|---|---|---|---|---|---|%n");
                for (Measured m : runs) {
                    System.out.printf(java.util.Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %s | %.3f, %.3f, %.3f | %s |%n",
                            m.kind(), m.mode().equals("closed") ? "closed loop, -c" + m.connections()
                                    : "paced, -c" + m.connections() + " (half of closed loop)", m.rps(), m.p50(), m.p99(),
                            m.p999(), m.server(), m.auditCpuMs(), m.pgCpuMs(), m.machineCpuMs(), m.load());
                }
            }
        }
        System.out.printf("load average at end: %s%n", IngestionBench.loadAverage());
    }

    private static void load(PostgresDatabase db, long n, long verified) throws Exception {
        Flyway.configure().dataSource(db.jdbcUrl(), db.username(), db.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "flagledger_audit_writer")).load().migrate();
        long begin = System.nanoTime();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            try (Statement st = c.createStatement()) {
                st.execute("set synchronous_commit = off");
                // This throwaway database needs only what proofs read: the primary key and the event id lookup.
                // The search indexes would triple the load time and play no part in a proof.
                st.execute("""
                        do $$ declare i record; begin
                            for i in select indexname from pg_indexes where tablename = 'ledger_entry'
                                and indexname not in (select conname from pg_constraint where conrelid = 'ledger_entry'::regclass)
                            loop execute 'drop index ' || quote_ident(i.indexname); end loop;
                        end $$""");
            }
            copyEntries(c, n, verified);
            try (Statement st = c.createStatement()) {
                st.execute("vacuum analyze ledger_entry");
            }
            System.out.printf("%,d entries and their tree nodes computed and copied in %.1f s (with vacuum)%n",
                    n, (System.nanoTime() - begin) / 1e9);
        }
    }

    /**
     * The N entries with the tree nodes each completes, computed here with event-contract's CompactRange (as the
     * self-check recomputes them), streamed by COPY in bounded chunks; and the point a previous self-check would have
     * recorded at {@code verified}.
     */
    private static void copyEntries(Connection c, long n, long verified) throws Exception {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy ledger_entry (seq, event_id, canonical_json, "
                + "leaf_hash, received_at, source_topic, source_partition, source_offset, occurred_at, source_service, action, "
                + "actor_id, actor_type, correlation_id, nodes) from stdin");
        HexFormat hex = HexFormat.of();
        String now = java.time.OffsetDateTime.now().toString();
        StringBuilder out = new StringBuilder(1 << 20);
        CompactRange range = new CompactRange();
        CompactRange atVerified = range;
        for (long seq = 1; seq <= n; seq++) {
            if (seq - 1 == verified) {
                atVerified = CompactRange.of(range.size(), range.roots());
            }
            String payload = "{\"n\":" + seq + "}";
            byte[] leaf = MerkleHash.leaf(payload.getBytes(StandardCharsets.UTF_8));
            out.append(seq).append("\t00000000-0000-4000-8000-").append(hex.toHexDigits(seq).substring(4)).append('\t')
                    .append(payload).append("\t\\\\x").append(hex.formatHex(leaf)).append('\t').append(now)
                    .append("\tbench\t0\t").append(seq).append('\t').append(now).append("\tbench\tbench\tbench\tuser\tbench\t");
            int nodes = out.length();
            range.append(leaf, (id, h) -> out.append(out.length() == nodes ? "\\\\x" : "").append(hex.formatHex(h)));
            out.append(out.length() == nodes ? "\\N\n" : "\n");
            if (out.length() > (1 << 20) - 6000) {
                byte[] bytes = out.toString().getBytes(StandardCharsets.US_ASCII);
                copy.writeToCopy(bytes, 0, bytes.length);
                out.setLength(0);
            }
        }
        if (verified == n) {
            atVerified = range;
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.US_ASCII);
        copy.writeToCopy(bytes, 0, bytes.length);
        copy.endCopy();
        try (PreparedStatement ps = c.prepareStatement("insert into selfcheck_point (tree_size, root_hash, compact_range, "
                + "full_scan, verified_at) values (?, ?, ?, true, now())")) {
            java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
            for (byte[] root : atVerified.roots()) {
                packed.write(root);
            }
            ps.setLong(1, atVerified.size());
            ps.setBytes(2, atVerified.root());
            ps.setBytes(3, packed.toByteArray());
            ps.executeUpdate();
        }
    }

    /**
     * The hourly self-check, between the warm-up and the measured run: incremental from the recorded point, Merkle
     * part only (see the class comment). Prints what it read, its wall time and CPU; a run that is not incremental
     * and healthy makes the bench fail, as it would not be the run the figures claim to follow.
     */
    private static void selfCheck(String url, String adminToken, long auditPid, PostgresDatabase db, long verified)
            throws Exception {
        try (Connection monitor = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            IngestionBench.PgCpu pg = new IngestionBench.PgCpu(monitor);
            double auditCpu = IngestionBench.cpuSeconds(auditPid);
            String load = IngestionBench.loadAverage();
            long begin = System.nanoTime();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(url + "/api/v1/audit/selfcheck?scope=incremental&columns=false"))
                    .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofMinutes(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            double wall = (System.nanoTime() - begin) / 1e9;
            double audit = IngestionBench.cpuSeconds(auditPid) - auditCpu;
            double postgres = pg.backends();
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the self-check answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode report = new ObjectMapper().readTree(response.body());
            if (!report.get("healthy").asBoolean() || !"incremental".equals(report.get("scope").asText())
                    || report.get("verifiedFrom").asLong() != verified) {
                throw new IllegalStateException("the self-check was not the incremental run from " + verified + ": " + report);
            }
            System.out.printf("self-check (incremental, Merkle part) between warm-up and measurement: entries %,d..%,d "
                            + "(%,d) and %d checkpoint(s) in %.2f s; CPU audit-service %.2f s, PostgreSQL backends %.2f s; "
                            + "load average before: %s%n", verified + 1, report.get("ledgerSize").asLong(),
                    report.get("ledgerSize").asLong() - verified, report.get("checkpointsChecked").asInt(), wall, audit,
                    postgres, load);
        }
    }

    private static void awaitCheckpoint(PostgresDatabase db, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            while (System.nanoTime() < deadline) {
                try (ResultSet r = c.createStatement().executeQuery("select count(*) from checkpoint where tree_size >= " + n)) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("audit-service signed no checkpoint over " + n + " leaves in 5 minutes");
    }

    /**
     * One proof of each kind, fetched and verified the way a client would (against the root of the checkpoint the
     * service signed), so the timed requests are known to be answered with valid proofs, not errors.
     */
    private static void checkOneOfEach(String url, long n, String token, PostgresDatabase db) throws Exception {
        byte[] root;
        long size;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             ResultSet r = c.createStatement().executeQuery("select tree_size, root_hash from checkpoint order by tree_size limit 1")) {
            r.next();
            size = r.getLong(1);
            root = r.getBytes(2);
        }
        long seq = n / 3 + 1;
        JsonNode entry = get(url + "/api/v1/audit/events/" + String.format("00000000-0000-4000-8000-%012x", seq)
                + "?tree_size=" + size, token);
        JsonNode proof = entry.get("inclusionProof");
        ProofVerifier.verifyInclusion(seq - 1, size, MerkleHash.leaf(("{\"n\":" + seq + "}").getBytes(StandardCharsets.UTF_8)),
                hashes(proof.get("hashes")), root);
        long from = n / 7 + 1;
        JsonNode consistency = get(url + "/api/v1/audit/proofs/consistency?from=" + from + "&to=" + size, token);
        byte[] fromRoot = Base64.getDecoder().decode(consistency.get("fromRoot").asText());
        ProofVerifier.verifyConsistency(from, size, fromRoot, root, hashes(consistency.get("hashes")));
        System.out.printf("checked: an inclusion proof (%d hashes) and a consistency proof (%d hashes) served over HTTP "
                + "verify against the signed root of %,d leaves%n", proof.get("hashes").size(), consistency.get("hashes").size(), size);
    }

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return new ObjectMapper().readTree(response.body());
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new java.util.ArrayList<>();
        array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
        return out;
    }

    /** A bearer token with one realm role, verified by the service with the configured public key. */
    private static String token(KeyPair key, String role) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject("proof-bench");
        claims.setAudience("audit-service");
        claims.setIssuer("proof-bench");
        claims.setClaim("preferred_username", "proof-bench");
        claims.setClaim("realm_access", Map.of("roles", List.of(role)));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(120);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    /** One wrk run's figures; {@code kind} is baseline, inclusion or consistency. */
    record Measured(String kind, String mode, int connections, double rps, double p50, double p99, double p999,
                    double auditCpuMs, double pgCpuMs, double brokerCpuMs, double machineCpuMs, String load,
                    ServerLatency server) {
    }

    /** Routes of the proof kinds as the service's HTTP timer tags them (audit-service ProofLatency). */
    private static final Map<String, String> ROUTES = Map.of("inclusion", io.flagledger.audit.proof.ProofLatency.INCLUSION_ROUTE,
            "consistency", io.flagledger.audit.proof.ProofLatency.CONSISTENCY_ROUTE);

    /**
     * The service's own view of a run, from its proof-latency buckets (audit-service ProofLatency): requests timed,
     * the share answered within 2 ms, and the smallest bucket bound that holds 99 % of them.
     */
    record ServerLatency(double requests, double within2ms, String p99AtMost) {
        static final ServerLatency NONE = new ServerLatency(0, Double.NaN, "-");

        /** Cumulative bucket counts ("le" bound to count) of the route, summed over its other labels. */
        static java.util.TreeMap<Double, Double> buckets(String url, String kind) throws Exception {
            java.util.TreeMap<Double, Double> counts = new java.util.TreeMap<>();
            String route = ROUTES.get(kind);
            if (route == null) {
                return counts;
            }
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.lines().toList()) {
                int le = line.indexOf("le=\"");
                if (line.startsWith("http_server_requests_seconds_bucket{") && line.contains("uri=\"" + route + "\"") && le > 0) {
                    String bound = line.substring(le + 4, line.indexOf('"', le + 4));
                    counts.merge(bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound),
                            Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
            return counts;
        }

        static ServerLatency between(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after) {
            if (after.isEmpty()) {
                return NONE;
            }
            double total = after.get(Double.POSITIVE_INFINITY) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
            String p99 = "-";
            for (var e : after.entrySet()) {
                if (e.getValue() - before.getOrDefault(e.getKey(), 0.0) >= 0.99 * total) {
                    p99 = e.getKey().isInfinite() ? "> 100 ms" : "≤ %s ms".formatted(
                            java.math.BigDecimal.valueOf(e.getKey() * 1e3).stripTrailingZeros().toPlainString());
                    break;
                }
            }
            return new ServerLatency(total, (after.get(0.002) - before.getOrDefault(0.002, 0.0)) / total, p99);
        }

        @Override
        public String toString() {
            return requests == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2f %% ≤ 2 ms, p99 %s", 100 * within2ms, p99AtMost);
        }
    }

    /**
     * One wrk run at {@code kind} with {@code connections} connections: closed loop (each connection sends its next
     * request when the answer arrives) when {@code pauseMs} is 0, else paced (each connection pauses that long before
     * its next request: bench/wrk/common.lua). Any non-200 answer or socket error makes the bench fail, as cheap error
     * answers would flatter the figures. CPU per request: the service, PostgreSQL's backends, the Kafka broker and the
     * whole machine (every process, wrk included, from /proc/stat).
     */
    private static Measured wrk(String url, String kind, long n, String token, int connections, int seconds, double pauseMs,
                                long auditPid, PostgresDatabase db, boolean report) throws Exception {
        Path script = Path.of("audit-service/bench/proofs.lua");
        String load = IngestionBench.loadAverage();
        try (Connection monitor = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            IngestionBench.PgCpu pg = new IngestionBench.PgCpu(monitor);
            long broker = IngestionBench.brokerPid();
            double auditCpu = IngestionBench.cpuSeconds(auditPid);
            double brokerCpu = IngestionBench.cpuSeconds(broker);
            double machineCpu = machineCpuSeconds();
            Map<Long, Map.Entry<String, Double>> threads = IngestionBench.threadCpu(auditPid);
            long gcFrom = Files.size(gcLog);
            java.util.TreeMap<Double, Double> bucketsBefore = ServerLatency.buckets(url, kind);
            ProcessBuilder pb = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                    "-s", script.toAbsolutePath().toString(), url, "--", kind, String.valueOf(n), token)
                    .redirectErrorStream(true);
            pb.environment().put("DELAY_MS", String.format(java.util.Locale.ROOT, "%.3f", pauseMs));
            Process p = pb.start();
            String result = null;
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.append(line).append('\n');
                    if (line.startsWith("RESULT ")) {
                        result = line.substring(7);
                    }
                }
            }
            p.waitFor();
            double audit = IngestionBench.cpuSeconds(auditPid) - auditCpu;
            double brokerUsed = IngestionBench.cpuSeconds(broker) - brokerCpu;
            double machine = machineCpuSeconds() - machineCpu;
            Map<String, Double> byThread = IngestionBench.threadCpuSince(threads, IngestionBench.threadCpu(auditPid));
            double postgres = pg.backends();
            String pauses = gcPauses(gcFrom, seconds);
            ServerLatency server = ServerLatency.between(bucketsBefore, ServerLatency.buckets(url, kind));
            if (result == null) {
                throw new IllegalStateException("wrk printed no result:\n" + all);
            }
            if (field(result, "non200") > 0 || field(result, "errors") > 0) {
                throw new IllegalStateException("not a valid run, some requests failed: " + result);
            }
            double requests = field(result, "requests");
            String mode = pauseMs > 0 ? "paced" : "closed";
            Measured m = new Measured(kind, mode, connections, field(result, "rps"), field(result, "p50_ms"),
                    field(result, "p99_ms"), field(result, "p999_ms"), 1e3 * audit / requests, 1e3 * postgres / requests,
                    1e3 * brokerUsed / requests, 1e3 * machine / requests, load, server);
            if (report) {
                System.out.printf("%-11s %-6s -c%d%s %s%n    CPU ms per request: audit-service %.3f, PostgreSQL backends %.3f, "
                                + "Kafka broker %.3f, whole machine %.3f; load average before: %s%n",
                        kind, mode, connections, pauseMs > 0 ? String.format(java.util.Locale.ROOT, " (pause %.2f ms)", pauseMs) : "",
                        result, m.auditCpuMs(), m.pgCpuMs(), m.brokerCpuMs(), m.machineCpuMs(), load);
                System.out.printf("    audit-service CPU ms per 1,000 requests by thread: %s%n", byThread.entrySet().stream()
                        .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                        .map(e -> "%s %.0f".formatted(e.getKey(), 1e6 * e.getValue() / requests))
                        .collect(java.util.stream.Collectors.joining(", ")));
                System.out.printf("    audit-service GC pauses: %s%n", pauses);
                if (server.requests() > 0) {
                    System.out.printf("    audit-service's own timer (request headers to response end): %,.0f requests, %s%n",
                            server.requests(), server);
                }
            }
            return m;
        }
    }

    /**
     * Paced at {@code target} requests/s: the pause per request that makes {@code connections} connections offer it,
     * calibrated from two 5 s probes as bench/side-by-side.sh does (each connection does one request per pause +
     * latency), then the measured run.
     */
    private static Measured paced(String url, String kind, long n, String token, int connections, int seconds, double target,
                                  long auditPid, PostgresDatabase db) throws Exception {
        double pause = 1000.0 * connections / target;
        for (int probe = 0; probe < 2; probe++) {
            Measured m = wrk(url, kind, n, token, connections, 5, pause, auditPid, db, false);
            double latency = Math.max(0, 1000.0 * connections / m.rps() - pause);
            pause = Math.max(0.05, 1000.0 * connections / target - latency);
        }
        return wrk(url, kind, n, token, connections, seconds, pause, auditPid, db, true);
    }

    /** The service's stop-the-world pauses logged since {@code from} (a byte offset of its GC log). */
    private static String gcPauses(long from, int seconds) throws java.io.IOException {
        byte[] log = Files.readAllBytes(gcLog);
        int count = 0;
        double total = 0;
        double longest = 0;
        for (String line : new String(log, (int) Math.min(from, log.length), (int) Math.max(0, log.length - from),
                StandardCharsets.UTF_8).split("\n")) {
            java.util.regex.Matcher m = PAUSE.matcher(line.trim());
            if (m.find()) {
                double ms = Double.parseDouble(m.group(1));
                count++;
                total += ms;
                longest = Math.max(longest, ms);
            }
        }
        return String.format(java.util.Locale.ROOT, "%d in %d s (%.1f/s), %.1f ms in all, longest %.2f ms", count, seconds,
                count / (double) seconds, total, longest);
    }

    private static double field(String result, String name) {
        return Double.parseDouble(result.replaceAll("^(?:.*\\s)?" + name + "=([0-9.]+).*$", "$1"));
    }

    /** CPU seconds all processes of the machine used so far (/proc/stat: user, nice, system, irq, softirq, steal). */
    static double machineCpuSeconds() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            ticks += Long.parseLong(f[i]);
        }
        return ticks / 100.0;
    }
}
