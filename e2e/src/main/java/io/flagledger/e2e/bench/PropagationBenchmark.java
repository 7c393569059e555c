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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * Change → SSE propagation against a real flag-api (real PostgreSQL, Kafka, Keycloak): for each environment size,
 * that many flags (copies of one flag with targets, rules and rollouts, inserted in the database: the bench measures
 * propagation, not seeding), then two rounds of {@code changes} toggles through the API, one at a time: one with
 * {@code subscribers} {@code /sdk/v1/stream} connections (each change must reach each of them as the patch that carries
 * it), one with as many OFREP {@code /ofrep/v1/event-stream} connections (each change must reach each of them as a
 * {@code refetchEvaluation} message). Each delivery's latency is taken from sending the toggle and from the toggle's
 * answer. Prints p50/p99/max per size and stream with the load average, flag-api's CPU time per change above its idle
 * rate, and where that CPU went by kind of thread (JIT compilation and GC included).
 * <p>
 * Before the first size is measured, {@code PROPAGATION_WARMUP} (default 200) toggles with the SDK subscribers attached
 * are made and not measured: a freshly started JVM spends more CPU compiling the toggle path than running it (over
 * half of the CPU per change of the first 200 changes went to the JIT compiler threads), and a replica that serves
 * for days is measured by its steady state; after the warm-up the bench waits until the compiler threads are quiet,
 * so compilation queued by it is not counted either. {@code PROPAGATION_WARMUP=0} measures the cold JVM.
 * <p>
 * {@code PROPAGATION_JFR=<file>}: records the SDK round of the first size with Java Flight Recorder (stack depth 256,
 * settings {@code PROPAGATION_JFR_SETTINGS}, default {@code profile}; started through {@code jcmd} before the idle
 * window) into that file, for {@code jfr print --events jdk.ExecutionSample <file>}.
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
        String jfrFile = System.getenv("PROPAGATION_JFR");
        Path jfr = jfrFile == null || jfrFile.isBlank() ? null : Path.of(jfrFile);
        String warmupSetting = System.getenv("PROPAGATION_WARMUP");
        int warmup = warmupSetting == null || warmupSetting.isBlank() ? 200 : Integer.parseInt(warmupSetting.trim());
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
                if (warmup > 0) {
                    System.out.println("[propagation] warm-up (not measured): " + run(Kind.SDK, api, base, pid, project, flags, keys,
                            subscribers, warmup, null));
                    warmup = 0;
                    awaitQuietCompiler(pid);
                }
                for (Kind kind : Kind.values()) {
                    lines.add(run(kind, api, base, pid, project, flags, keys, subscribers, changes, kind == Kind.SDK ? jfr : null));
                }
                jfr = null;
            }
        }
        System.out.println();
        System.out.println("| flags in the environment | stream | subscribers | changes | send → event p50 | p99 | max "
                + "| toggle's own round trip p50 / p99 | toggle answered → event read p50 / p99 | flag-api CPU per change (above idle) | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
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

    /** The kinds of stream the bench subscribes to, and what a change looks like on each. */
    private enum Kind {
        SDK("/sdk/v1/stream"), OFREP("/ofrep/v1/event-stream");

        final String path;

        Kind(String path) {
            this.path = path;
        }

        /** Whether {@code event} announces the change of {@code key}. */
        boolean announces(SseClient.Event event, String key) {
            return this == SDK ? "patch".equals(event.name()) && event.data().contains("\"" + key + "\"")
                    // notification only: one message per change, naming no flag (toggles are one at a time)
                    : "message".equals(event.name()) && event.data().contains("refetchEvaluation");
        }
    }

    private static String run(Kind kind, Api api, String base, long pid, String project, int flags, List<String> keys,
                              int subscribers, int changes, Path jfr) throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        HttpClient http = HttpClient.newBuilder().executor(executor).build();
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                SseClient stream = SseClient.open(http, base, kind.path, keys.get(i % keys.size()));
                if (kind == Kind.SDK) {
                    stream.next(e -> "put".equals(e.name()), Duration.ofSeconds(60));
                }
                streams.add(stream);
            }
            if (jfr != null) {
                String settings = System.getenv().getOrDefault("PROPAGATION_JFR_SETTINGS", "profile");
                jcmd(pid, "JFR.configure", "stackdepth=256");
                jcmd(pid, "JFR.start", "name=propagation", "settings=" + settings, "filename=" + jfr.toAbsolutePath());
                Thread.sleep(1000);
            }
            Latencies latencies = new Latencies();
            Latencies writes = new Latencies();
            Latencies afterAck = new Latencies();
            // flag-api's background work (outbox relay, key reload, checks) over an idle stretch, subtracted below
            long idleStart = System.nanoTime();
            long idleTicks = Cpu.ticks(pid);
            Map<String, Long> idleThreads = Cpu.ticksByThread(pid);
            Thread.sleep(5000);
            long idleNanos = System.nanoTime() - idleStart;
            double idleTicksPerNano = (Cpu.ticks(pid) - idleTicks) / (double) idleNanos;
            Map<String, Long> threadsBefore = Cpu.ticksByThread(pid);
            long cpuBefore = Cpu.ticks(pid);
            long start = System.nanoTime();
            for (int i = 0; i < changes; i++) {
                String key = "flag-" + ((i * 7919) % (flags - 1) + 1);
                boolean enabled = (i % 2 == 1) != (kind == Kind.OFREP);
                long sent = System.nanoTime();
                long acked = api.toggle(project, ENVIRONMENT, key, enabled);
                writes.add(acked - sent);
                for (SseClient stream : streams) {
                    SseClient.Event event = stream.next(e -> kind.announces(e, key), Duration.ofSeconds(30));
                    latencies.add(event.arrivedNanos() - sent);
                    afterAck.add(Math.max(0, event.arrivedNanos() - acked));
                }
            }
            long elapsed = System.nanoTime() - start;
            double busyTicks = Cpu.ticks(pid) - cpuBefore - idleTicksPerNano * elapsed;
            Map<String, Long> threadsAfter = Cpu.ticksByThread(pid);
            if (jfr != null) {
                jcmd(pid, "JFR.stop", "name=propagation");
                System.out.println("[propagation] JFR recording of the toggles: " + jfr);
            }
            double cpuMillisPerChange = Cpu.millis(Math.round(busyTicks)) / changes;
            System.out.printf("[propagation] %,d flags, %s: the toggle's own round trip (auth, transaction, signed event) p50 %.1f ms, "
                            + "p99 %.1f ms; its answer -> event read by a subscriber p50 %.1f ms, p99 %.1f ms%n", flags, kind.path,
                    writes.percentileMillis(50), writes.percentileMillis(99), afterAck.percentileMillis(50), afterAck.percentileMillis(99));
            System.out.println("[propagation] CPU per change by thread, above idle: " + byThread(threadsBefore, threadsAfter,
                    idleThreads, threadsBefore, idleNanos, elapsed, changes));
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            String line = String.format("| %,d | %s | %d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f / %.1f ms | %.1f / %.1f ms | %.1f ms | %s |",
                    flags, kind.path, subscribers, changes,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.percentileMillis(100),
                    writes.percentileMillis(50), writes.percentileMillis(99), afterAck.percentileMillis(50), afterAck.percentileMillis(99),
                    cpuMillisPerChange, load.substring(0, load.indexOf(' ', load.indexOf(' ', load.indexOf(' ') + 1) + 1)));
            System.out.println("[propagation] " + line);
            return line;
        } finally {
            for (SseClient stream : streams) {
                stream.close();
            }
            executor.shutdownNow();
        }
    }

    /**
     * Waits (at most 120 s) until the JIT compiler threads used under 2% of a core over 2 s: compilation queued by the
     * warm-up would otherwise be drained inside the measured window (or the idle one) and counted against the changes.
     */
    private static void awaitQuietCompiler(long pid) throws Exception {
        long start = System.nanoTime();
        long before = compilerTicks(pid);
        while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            Thread.sleep(2000);
            long now = compilerTicks(pid);
            if (now - before <= 4) {
                break;
            }
            before = now;
        }
        System.out.printf("[propagation] JIT compiler quiet after %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static long compilerTicks(long pid) throws Exception {
        return Cpu.ticksByThread(pid).entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Milliseconds per change by kind of thread, each above its own idle rate, largest first (above 0.5 ms). */
    private static String byThread(Map<String, Long> before, Map<String, Long> after, Map<String, Long> idleBefore,
                                   Map<String, Long> idleAfter, long idleNanos, long elapsed, int changes) {
        Map<String, Double> perChange = new TreeMap<>();
        after.forEach((name, ticks) -> {
            double idle = (idleAfter.getOrDefault(name, 0L) - idleBefore.getOrDefault(name, 0L)) * (double) elapsed / idleNanos;
            double busy = ticks - before.getOrDefault(name, 0L) - idle;
            perChange.put(name, Cpu.millis(1) * busy / changes);
        });
        return perChange.entrySet().stream().filter(e -> e.getValue() >= 0.5)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format("%s %.1f ms", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
    }
}
