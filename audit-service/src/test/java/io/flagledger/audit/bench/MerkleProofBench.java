package io.flagledger.audit.bench;

import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.merkle.ProofPlan;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flywaydb.core.Flyway;

/**
 * Inclusion- and consistency-proof latency over a ledger of N leaves in a real PostgreSQL, through the same
 * {@link MerkleStore} the service uses (one query per proof plus the root). Not a test: run it with
 * {@code audit-service/bench/merkle-proofs.sh [leaves...]}. Each size gets a fresh database, bulk-loaded
 * with synthetic entries, tree nodes built by the migration's merkle_backfill(), dropped afterwards.
 */
public final class MerkleProofBench {

    private static final int WARMUP = 300;
    private static final int SAMPLES = 2000;
    private static final long CHUNK = 500_000;

    public static void main(String[] args) throws Exception {
        long[] sizes = args.length == 0 ? new long[] {1_000_000} : Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        for (long n : sizes) {
            try (PostgresDatabase db = PostgresDatabase.create("audit_bench")) {
                load(db, n);
                measure(db, n);
            }
        }
    }

    private static void load(PostgresDatabase db, long n) throws Exception {
        Flyway.configure().dataSource(db.jdbcUrl(), db.username(), db.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "flagledger_audit_writer"))
                .load().migrate();
        long begin = System.nanoTime();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            try (Statement st = c.createStatement()) {
                st.execute("set synchronous_commit = off");
            }
            String insert = """
                    insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                        source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type, correlation_id)
                    select g, gen_random_uuid(), '{"n":' || g || '}', sha256('\\x00'::bytea || convert_to('{"n":' || g || '}', 'UTF8')),
                        now(), 'bench', 0, g, now(), 'bench', 'bench', 'bench', 'user', 'bench'
                    from generate_series(?::bigint, ?::bigint) g""";
            for (long from = 1; from <= n; from += CHUNK) {
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setLong(1, from);
                    ps.setLong(2, Math.min(n, from + CHUNK - 1));
                    ps.executeUpdate();
                }
            }
            long loaded = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute("select merkle_backfill()");
                st.execute("analyze ledger_entry");
                st.execute("analyze merkle_node");
            }
            System.out.printf("%,d leaves: loaded in %.1f s, tree nodes built in %.1f s%n", n,
                    (loaded - begin) / 1e9, (System.nanoTime() - loaded) / 1e9);
        }
    }

    private static void measure(PostgresDatabase db, long n) throws Exception {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = PgConnectOptions.fromUri(db.reactiveUrl()).setUser(db.username());
        if (!db.password().isEmpty()) {
            connect.setPassword(db.password());
        }
        Pool pool = PgPool.pool(vertx, connect, new PoolOptions().setMaxSize(2));
        MerkleStore store = new MerkleStore();
        try {
            byte[] root = store.root(pool, n).await().indefinitely();
            Random random = new Random(42);
            long[] inclusion = new long[SAMPLES];
            long[] consistency = new long[SAMPLES];
            long[] verify = new long[SAMPLES];
            for (int i = -WARMUP; i < SAMPLES; i++) {
                long index = (long) (random.nextDouble() * n);
                long t0 = System.nanoTime();
                List<byte[]> proof = store.hashes(pool, ProofPlan.inclusion(index, n)).await().indefinitely();
                byte[] leaf = store.nodes(pool, List.of(new io.flagledger.contract.merkle.NodeId(0, index)))
                        .await().indefinitely().values().iterator().next();
                long t1 = System.nanoTime();
                ProofVerifier.verifyInclusion(index, n, leaf, proof, root);
                long t2 = System.nanoTime();
                long m = 1 + (long) (random.nextDouble() * (n - 1));
                long t3 = System.nanoTime();
                List<byte[]> cproof = store.hashes(pool, ProofPlan.consistency(m, n)).await().indefinitely();
                byte[] rootM = store.root(pool, m).await().indefinitely();
                long t4 = System.nanoTime();
                ProofVerifier.verifyConsistency(m, n, rootM, root, cproof);
                if (i >= 0) {
                    inclusion[i] = t1 - t0;
                    verify[i] = t2 - t1;
                    consistency[i] = t4 - t3;
                }
            }
            System.out.printf("%,d leaves, %d samples each (random leaf / random older size, against the full tree):%n", n, SAMPLES);
            report("  inclusion proof   (proof query + leaf query)", inclusion);
            report("  consistency proof (proof query + old root)  ", consistency);
            report("  client-side inclusion verification          ", verify);
            System.out.printf("  proof sizes: inclusion %d hashes (%d nodes read), consistency up to %d hashes%n",
                    ProofPlan.inclusion(n / 3, n).ranges().size(), ProofPlan.inclusion(n / 3, n).nodes().size(),
                    ProofPlan.consistency(n / 3, n).ranges().size());
            System.out.printf("  root: %s%n", java.util.Base64.getEncoder().encodeToString(root));
        } finally {
            pool.close().await().indefinitely();
            vertx.close().await().indefinitely();
        }
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
        System.out.printf("%s p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  mean %.2f ms%n", what,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.95)] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6, mean);
    }
}
