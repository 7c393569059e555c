package io.flagledger.flagapi.sdkstream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SdkStreamTest {

    @Inject
    Pool pool;

    @Inject
    OpenStreams openStreams;

    /** One received SSE event. */
    record Event(String id, String name, String data) {
    }

    @Test
    void pushesTheConfigurationOnConnectAndAfterEveryChangeAndResumes() throws Exception {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");

        try (Stream stream = Stream.open(sdkKey, null)) {
            Event first = stream.nextMatching(e -> e.data().contains(key), Duration.ofSeconds(20));
            assertThat(first.name()).isEqualTo("put");

            toggle(key, true);
            Event changed = stream.next(Duration.ofSeconds(20));
            assertThat(changed.id()).isNotEqualTo(first.id());
            assertThat(changed.data()).contains("\"enabled\":true");

            // Resuming at the current revision sends nothing until the next change; an old revision gets the state at once.
            try (Stream resumed = Stream.open(sdkKey, changed.id()); Stream stale = Stream.open(sdkKey, first.id())) {
                assertThat(stale.next(Duration.ofSeconds(10)).id()).isEqualTo(changed.id());
                toggle(key, false);
                Event next = resumed.next(Duration.ofSeconds(20));
                assertThat(next.id()).isNotEqualTo(changed.id());
                assertThat(next.data()).contains("\"enabled\":false");
            }
        }
        HttpResponse<Void> unauthorized = HttpClient.newHttpClient().send(HttpRequest.newBuilder(streamUri())
                .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.discarding());
        assertThat(unauthorized.statusCode()).isEqualTo(401);
    }

    @Test
    void aClientKeyGetsNoRawConfigurationStream() throws Exception {
        String clientKey = OfrepFixtures.issueKey("staging", "client");
        String correlation = "client-stream-" + java.util.UUID.randomUUID();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(streamUri())
                .header("Authorization", "Bearer " + clientKey).header("Accept", "text/event-stream")
                .header("X-Correlation-Id", correlation).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).contains("client SDK key").doesNotContain("salt").doesNotContain("\"flags\"");
        // the attempt is in the ledger: a valid key used beyond its kind
        io.flagledger.contract.AuditEvent denied = io.flagledger.flagapi.TestEvents.events("security.events",
                e -> correlation.equals(e.correlationId()), 1).get(0);
        assertThat(denied.action()).isEqualTo("access.denied");
        assertThat(denied.scope().get("status").asInt()).isEqualTo(403);
        assertThat(denied.scope().get("endpoint").asText()).isEqualTo("/sdk/v1/stream");
    }

    @Test
    void aRevokedKeysStreamsEndWithinSeconds() throws Exception {
        OfrepFixtures.flagWithCountryRule("staging");
        Map<String, Object> local = OfrepFixtures.issue("staging", "server");
        Map<String, Object> elsewhere = OfrepFixtures.issue("staging", "server");
        try (Stream revokedHere = Stream.open((String) local.get("key"), null);
             Stream revokedElsewhere = Stream.open((String) elsewhere.get("key"), null)) {
            revokedHere.next(Duration.ofSeconds(20));
            revokedElsewhere.next(Duration.ofSeconds(20));

            // Revoked through this replica's API.
            long start = System.nanoTime();
            OfrepFixtures.revoke("staging", local.get("id"));
            assertEndsWithErrorEvent(revokedHere, start);

            // Revoked by another replica: only the database changes; this replica learns of it from its refresh.
            start = System.nanoTime();
            pool.preparedQuery("update sdk_key set revoked_at = now() where id = $1")
                    .execute(Tuple.of(java.util.UUID.fromString((String) elsewhere.get("id")))).await().atMost(Duration.ofSeconds(10));
            assertEndsWithErrorEvent(revokedElsewhere, start);
        }
        // And it cannot reconnect.
        HttpResponse<Void> again = HttpClient.newHttpClient().send(HttpRequest.newBuilder(streamUri())
                .header("Authorization", "Bearer " + local.get("key")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(again.statusCode()).isEqualTo(401);
    }

    private static void assertEndsWithErrorEvent(Stream stream, long startNanos) throws Exception {
        Event last = stream.nextMatching(e -> "error".equals(e.name()), Duration.ofSeconds(5));
        assertThat(last.data()).contains("revoked").contains("401");
        assertThat(stream.awaitEnd(Duration.ofSeconds(5))).as("the server ended the stream").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(5));
    }

    /** application.properties' test profile: 4 streams per key, 8 in all. */
    @Test
    void streamsAreLimitedPerKeyAndInTotal() throws Exception {
        OfrepFixtures.flagWithCountryRule("staging");
        // Streams of earlier tests end when the server notices their clients left.
        await().atMost(Duration.ofSeconds(20)).until(() -> openStreams.count() == 0);
        String first = OfrepFixtures.issueKey("staging", "server");
        String second = OfrepFixtures.issueKey("staging", "server");
        String third = OfrepFixtures.issueKey("staging", "server");
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                open.add(Stream.open(first, null));
            }
            assertLimited(first, "This SDK key holds its maximum of 4 streams");
            for (int i = 0; i < 4; i++) {
                open.add(Stream.open(second, null));
            }
            assertThat(openStreams.count()).isEqualTo(8);
            assertLimited(third, "This replica holds its maximum of 8 SDK streams");
            // A stream that ends frees its place.
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> openStreams.count() == 7);
            open.add(Stream.open(third, null));
        } finally {
            for (Stream stream : open) {
                stream.close();
            }
        }
    }

    private static void assertLimited(String sdkKey, String detail) throws Exception {
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(streamUri())
                .header("Authorization", "Bearer " + sdkKey).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).contains(detail).contains("\"status\":429");
    }

    private static void toggle(String key, boolean enabled) {
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON)
                .header("X-Correlation-Id", "sse-test")
                .body(Map.of("enabled", enabled, "reason", "stream test"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", OfrepFixtures.PROJECT, key)
                .then().statusCode(200);
    }

    private static URI streamUri() {
        return URI.create("http://localhost:" + RestAssured.port + "/sdk/v1/stream");
    }

    /** A minimal SSE client: a reader thread parses events into a queue. */
    static final class Stream implements AutoCloseable {
        private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(100);
        private final CountDownLatch ended = new CountDownLatch(1);
        private final Thread reader;
        private final java.io.InputStream body;

        private Stream(java.io.InputStream body) {
            this.body = body;
            this.reader = new Thread(this::read, "sse-test-reader");
            this.reader.setDaemon(true);
            this.reader.start();
        }

        static Stream open(String sdkKey, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(streamUri()).header("Authorization", "Bearer " + sdkKey)
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            return new Stream(response.body());
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            events.put(new Event(id, name, data.toString()));
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
                // closed by the test
            } finally {
                ended.countDown();
            }
        }

        /** True once the server ended the response (or the test closed it). */
        boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        Event next(Duration timeout) throws InterruptedException {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("an SSE event within " + timeout).isNotNull();
            return event;
        }

        Event nextMatching(java.util.function.Predicate<Event> test, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Event event = events.poll(100, TimeUnit.MILLISECONDS);
                if (event != null && test.test(event)) {
                    return event;
                }
            }
            throw new AssertionError("no matching SSE event within " + timeout);
        }

        @Override
        public void close() throws Exception {
            body.close();
            reader.interrupt();
        }
    }
}
