package io.flagledger.e2e.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A subscriber of one of flag-api's event streams ({@code /sdk/v1/stream}, {@code /ofrep/v1/event-stream}): a reader
 * thread stamps each event with its arrival time.
 */
public final class SseClient implements AutoCloseable {

    /** One event and {@code System.nanoTime()} when its last line arrived. */
    public record Event(String id, String name, String data, long arrivedNanos) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;

    private SseClient(InputStream body) {
        this.body = body;
        Thread reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    public static SseClient open(HttpClient http, String baseUrl, String sdkKey) throws Exception {
        return open(http, baseUrl, "/sdk/v1/stream", sdkKey);
    }

    /** {@code path}: the stream's path, which takes the SDK key as a bearer token. */
    public static SseClient open(HttpClient http, String baseUrl, String path, String sdkKey) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + sdkKey).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return new SseClient(response.body());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, name, data.toString(), System.nanoTime()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        } catch (Exception e) {
            // closed
        }
    }

    /** The next event that matches, or an exception after {@code timeout}. */
    public Event next(Predicate<Event> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Event event = events.poll(20, TimeUnit.MILLISECONDS);
            if (event != null && test.test(event)) {
                return event;
            }
        }
        throw new IllegalStateException("no matching event within " + timeout);
    }

    @Override
    public void close() throws Exception {
        body.close();
    }
}
