package io.flagledger.e2e.demo;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small application as a Flagledger customer would run it: each request to {@code /checkout} asks the
 * OpenFeature SDK (OFREP provider, SDK key) whether the new checkout is on, and the new checkout fails
 * {@code failShare} of its requests. {@code /metrics} exposes Prometheus text counters
 * {@code demo_requests_total{code}}. A built-in client sends {@code requestsPerSecond} requests to itself, over
 * loopback, until closed.
 */
public final class DemoApp implements AutoCloseable {

    private final HttpServer server;
    private final ScheduledExecutorService traffic = Executors.newScheduledThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();
    private final OpenFeatureAPI openFeature = OpenFeatureAPI.getInstance();
    private final String flagKey;
    private final double failShare;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Instant> firstFailure = new AtomicReference<>();
    private final AtomicReference<Instant> lastOn = new AtomicReference<>();

    private volatile Client flags;

    private DemoApp(String flagKey, double failShare) throws IOException {
        this.flagKey = flagKey;
        this.failShare = failShare;
        // Bound first, on a port the system picks, so Prometheus can be told where to scrape before the stack starts
        // and no other process can take the port in between.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/checkout", this::checkout);
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    /** Listens on loopback and exposes zero counters; {@link #serve} connects it to flag-api and starts the traffic. */
    public static DemoApp listen(String flagKey, double failShare) {
        try {
            return new DemoApp(flagKey, failShare);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Reads the flag through the OFREP provider with {@code sdkKey} and sends {@code requestsPerSecond} to itself. */
    public DemoApp serve(String flagApiUrl, String sdkKey, int requestsPerSecond) {
        openFeature.setProviderAndWait("demo", OfrepProvider.constructProvider(OfrepProviderOptions.builder()
                .baseUrl(flagApiUrl)
                .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + sdkKey)))
                .build()));
        flags = openFeature.getClient("demo");
        long periodMicros = 1_000_000L / requestsPerSecond;
        traffic.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return this;
    }

    private void checkout(HttpExchange exchange) throws IOException {
        String user = "user-" + ThreadLocalRandom.current().nextInt(10_000);
        Client flags = this.flags;
        boolean newCheckout = flags != null && flags.getBooleanValue(flagKey, false, new ImmutableContext(user));
        boolean fails = newCheckout && ThreadLocalRandom.current().nextDouble() < failShare;
        if (newCheckout) {
            lastOn.set(Instant.now());
        }
        if (fails) {
            firstFailure.compareAndSet(null, Instant.now());
            failed.incrementAndGet();
        } else {
            ok.incrementAndGet();
        }
        byte[] body = (fails ? "payment provider timeout" : "ok").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(fails ? 500 : 200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void metrics(HttpExchange exchange) throws IOException {
        byte[] body = ("# HELP demo_requests_total Checkout requests by status code.\n"
                + "# TYPE demo_requests_total counter\n"
                + "demo_requests_total{code=\"200\"} " + ok.get() + "\n"
                + "demo_requests_total{code=\"500\"} " + failed.get() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void sendOne() {
        try {
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/checkout"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the next request tries again; the counters only count answered requests
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** When the first request failed because the flag was on. */
    public Instant firstFailure() {
        return firstFailure.get();
    }

    /** When a request last saw the flag on. */
    public Instant lastOn() {
        return lastOn.get();
    }

    @Override
    public void close() {
        traffic.shutdownNow();
        server.stop(0);
        openFeature.shutdown();
    }
}
