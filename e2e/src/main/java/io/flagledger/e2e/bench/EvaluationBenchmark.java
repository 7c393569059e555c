package io.flagledger.e2e.bench;

import io.flagledger.e2e.Stack;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Evaluation benchmark against a real flag-api (real PostgreSQL, Kafka, Keycloak): 1,000 flags with targeting rules
 * and rollouts, then OFREP single and bulk evaluation under a bounded closed-loop load (fixed number of clients on
 * loopback), and the time from a committed change to an SSE client receiving it. Prints the figures.
 * Usage: bench/evaluation.sh [flags] [clients] [seconds]
 */
public final class EvaluationBenchmark {

    private static final String PROJECT = "bench";
    private static final String ENVIRONMENT = "staging";

    private EvaluationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int flags = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Duration duration = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 20);
        Path root = Path.of(".").toAbsolutePath().normalize();
        try (Stack stack = Stack.start(root, root.resolve("e2e/target/bench-stack"), List.of("flag-api"))) {
            Api api = new Api(stack.url("flag-api"), stack.token("requester"), stack.token("admin"));
            long t = System.nanoTime();
            for (int i = 0; i < flags; i++) {
                api.createFlagWithRules(PROJECT, ENVIRONMENT, "flag-" + i);
            }
            System.out.printf("setup: %d flags with rules and rollouts in %.1f s%n", flags, (System.nanoTime() - t) / 1e9);
            String sdkKey = api.issueSdkKey(PROJECT, ENVIRONMENT);
            api.awaitEvaluable(sdkKey, "flag-" + (flags - 1));

            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
            report("OFREP single", load(http, clients, duration, i -> single(stack.url("flag-api"), sdkKey, "flag-" + (i % flags), i)));
            report("OFREP bulk (" + flags + " flags)", load(http, clients, duration.dividedBy(2), i -> bulk(stack.url("flag-api"), sdkKey, i)));
            report("change -> SSE client", changeToStream(api, stack.url("flag-api"), sdkKey, 50));
        }
    }

    private static HttpRequest single(String base, String sdkKey, String flag, long i) {
        return post(base + "/ofrep/v1/evaluate/flags/" + flag, sdkKey,
                "{\"context\":{\"targetingKey\":\"user-" + i + "\",\"country\":\"" + (i % 3 == 0 ? "NL" : "DE") + "\",\"plan\":\"gold\"}}");
    }

    private static HttpRequest bulk(String base, String sdkKey, long i) {
        return post(base + "/ofrep/v1/evaluate/flags", sdkKey, "{\"context\":{\"targetingKey\":\"user-" + i + "\",\"country\":\"NL\"}}");
    }

    private static HttpRequest post(String url, String sdkKey, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + sdkKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Closed loop: each client sends the next request when the previous answered; every answer must be 200. */
    private static Result load(HttpClient http, int clients, Duration duration, java.util.function.LongFunction<HttpRequest> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        List<Future<Latencies>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            final long offset = c * 1_000_000_000L;
            futures.add(pool.submit(() -> {
                Latencies mine = new Latencies();
                for (long i = offset; System.nanoTime() < end; i++) {
                    long sent = System.nanoTime();
                    HttpResponse<byte[]> response = http.send(request.apply(i), HttpResponse.BodyHandlers.ofByteArray());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("status " + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
                    }
                    mine.add(System.nanoTime() - sent);
                }
                return mine;
            }));
        }
        Latencies all = new Latencies();
        for (Future<Latencies> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        return new Result(all, (System.nanoTime() - start) / 1e9, clients);
    }

    private static Result changeToStream(Api api, String base, String sdkKey, int changes) throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/sdk/v1/stream"))
                .header("Authorization", "Bearer " + sdkKey).build(), HttpResponse.BodyHandlers.ofInputStream());
        BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(changes + 10);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("id:")) {
                        arrivals.offer(System.nanoTime());
                    }
                }
            } catch (Exception e) {
                // stream closed at the end
            }
        });
        reader.setDaemon(true);
        reader.start();
        arrivals.poll(30, TimeUnit.SECONDS); // the initial put
        Latencies latencies = new Latencies();
        long start = System.nanoTime();
        for (int i = 0; i < changes; i++) {
            long committed = api.toggle(PROJECT, ENVIRONMENT, "flag-0", i % 2 == 0);
            Long arrived = arrivals.poll(30, TimeUnit.SECONDS);
            if (arrived == null) {
                throw new IllegalStateException("change " + i + " never reached the stream");
            }
            latencies.add(arrived - committed);
        }
        response.body().close();
        return new Result(latencies, (System.nanoTime() - start) / 1e9, 1);
    }

    private record Result(Latencies latencies, double seconds, int clients) {
    }

    private static void report(String name, Result result) {
        System.out.printf("%-28s n=%-7d clients=%-2d throughput=%8.0f/s  p50=%7.2f ms  p99=%7.2f ms%n", name,
                result.latencies().count(), result.clients(), result.latencies().count() / result.seconds(),
                result.latencies().percentileMillis(50), result.latencies().percentileMillis(99));
    }
}
