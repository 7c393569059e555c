package io.flagledger.e2e.bench;

import io.flagledger.e2e.Stack;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Change → SSE propagation against a real flag-api (real PostgreSQL, Kafka, Keycloak): for each environment size,
 * that many flags (copies of one flag with targets, rules and rollouts, inserted in the database: the bench measures
 * propagation, not seeding), {@code subscribers} open {@code /sdk/v1/stream} connections, then {@code changes} toggles
 * through the API, one at a time. Each delivery's latency is from sending the toggle to a subscriber reading the patch
 * that carries it. Prints p50/p99/max per size with the load average and flag-api's CPU time per change.
 * Usage: bench/propagation.sh [sizes=1000,10000] [subscribers=100] [changes=50]
 */
public final class PropagationBenchmark {

    private static final String ENVIRONMENT = "staging";

    private PropagationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String[] sizes = (args.length > 0 ? args[0] : "1000,10000").split(",");
        int subscribers = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Path root = Path.of(".").toAbsolutePath().normalize();
        List<String> lines = new ArrayList<>();
        try (Stack stack = Stack.start(root, root.resolve("e2e/target/propagation-stack"), List.of("flag-api"))) {
            // a timeout's SIGTERM must still stop what the stack started
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "propagation-stop"));
            String base = stack.url("flag-api");
            Api api = new Api(base, stack.token("requester"), stack.token("admin"));
            long pid = stack.servicePids().get(0);
            for (String size : sizes) {
                int flags = Integer.parseInt(size.trim());
                String project = "prop" + flags;
                api.createFlagWithRules(project, ENVIRONMENT, "template");
                seed(stack.database("flag-api"), project, flags - 1);
                // two keys: a key holds at most 100 streams per replica
                List<String> keys = List.of(api.issueSdkKey(project, ENVIRONMENT), api.issueSdkKey(project, ENVIRONMENT));
                api.awaitEvaluable(keys.get(0), "flag-" + (flags - 1));
                lines.add(run(api, base, pid, project, flags, keys, subscribers, changes));
            }
        }
        System.out.println();
        System.out.println("| flags in the environment | subscribers | changes | p50 | p99 | max | flag-api CPU per change (above idle) | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        lines.forEach(System.out::println);
    }

    /** {@code count} copies of the project's template flag, with its environment rows, in one transaction. */
    private static void seed(PostgresDatabase db, String project, int count) throws Exception {
        long t = System.nanoTime();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            c.setAutoCommit(false);
            try (PreparedStatement flags = c.prepareStatement("insert into flag select (jsonb_populate_record(null::flag, to_jsonb(f) "
                    + "|| jsonb_build_object('id', gen_random_uuid(), 'flag_key', 'flag-' || g, 'name', 'flag-' || g))).* "
                    + "from flag f, generate_series(1, ?) g where f.project = ? and f.flag_key = 'template'");
                 PreparedStatement rows = c.prepareStatement("insert into flag_environment select (jsonb_populate_record(null::flag_environment, "
                         + "to_jsonb(fe) || jsonb_build_object('id', gen_random_uuid(), 'flag_id', n.id))).* "
                         + "from flag t join flag_environment fe on fe.flag_id = t.id join flag n on n.project = t.project and n.flag_key like 'flag-%' "
                         + "where t.project = ? and t.flag_key = 'template'")) {
                flags.setInt(1, count);
                flags.setString(2, project);
                flags.executeUpdate();
                rows.setString(1, project);
                rows.executeUpdate();
            }
            c.commit();
        }
        System.out.printf("[propagation] seeded %d flags in %s in %.1f s%n", count + 1, project, (System.nanoTime() - t) / 1e9);
    }

    private static String run(Api api, String base, long pid, String project, int flags, List<String> keys, int subscribers,
                              int changes) throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        HttpClient http = HttpClient.newBuilder().executor(executor).build();
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                SseClient stream = SseClient.open(http, base, keys.get(i % keys.size()));
                stream.next(e -> "put".equals(e.name()), Duration.ofSeconds(60));
                streams.add(stream);
            }
            Latencies latencies = new Latencies();
            Latencies writes = new Latencies();
            Latencies afterAck = new Latencies();
            // flag-api's background work (outbox relay, key reload, checks) over an idle stretch, subtracted below
            long idleStart = System.nanoTime();
            long idleTicks = Cpu.ticks(pid);
            Thread.sleep(5000);
            double idleTicksPerNano = (Cpu.ticks(pid) - idleTicks) / (double) (System.nanoTime() - idleStart);
            long cpuBefore = Cpu.ticks(pid);
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                String key = "flag-" + ((i * 7919) % (flags - 1) + 1);
                boolean enabled = i % 2 == 1;
                long sent = System.nanoTime();
                long acked = api.toggle(project, ENVIRONMENT, key, enabled);
                writes.add(acked - sent);
                String marker = "\"" + key + "\"";
                for (SseClient stream : streams) {
                    SseClient.Event patch = stream.next(e -> "patch".equals(e.name()) && e.data().contains(marker), Duration.ofSeconds(30));
                    latencies.add(patch.arrivedNanos() - sent);
                    afterAck.add(Math.max(0, patch.arrivedNanos() - acked));
                }
            }
            double busyTicks = Cpu.ticks(pid) - cpuBefore - idleTicksPerNano * (System.nanoTime() - start);
            double cpuMillisPerChange = Cpu.millis(Math.round(busyTicks)) / changes;
            System.out.printf("[propagation] %,d flags: the toggle's own round trip (auth, transaction, signed event) p50 %.1f ms, "
                            + "p99 %.1f ms; its answer -> patch read by a subscriber p50 %.1f ms, p99 %.1f ms%n", flags,
                    writes.percentileMillis(50), writes.percentileMillis(99), afterAck.percentileMillis(50), afterAck.percentileMillis(99));
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            String line = String.format("| %,d | %d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s |", flags, subscribers, changes,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.percentileMillis(100), cpuMillisPerChange,
                    load.substring(0, load.indexOf(' ', load.indexOf(' ', load.indexOf(' ') + 1) + 1)));
            System.out.println("[propagation] " + line);
            return line;
        } finally {
            for (SseClient stream : streams) {
                stream.close();
            }
            executor.shutdownNow();
        }
    }
}
