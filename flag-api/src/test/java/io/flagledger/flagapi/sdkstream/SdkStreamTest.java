package io.flagledger.flagapi.sdkstream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SdkStreamTest {

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
            }
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
