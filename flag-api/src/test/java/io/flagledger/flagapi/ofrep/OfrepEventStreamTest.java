package io.flagledger.flagapi.ofrep;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OFREP event streams (ADR-0008): the bulk answer advertises a stream, a change made through the API reaches it as a
 * refetchEvaluation event, the provider's re-fetch with flagConfigEtag and If-None-Match gets the new values (and
 * 304 once it has them); a client key hears nothing of flags it cannot see; hostile requests are 4xx.
 */
@QuarkusTest
class OfrepEventStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "events";
    private static final String ENVIRONMENT = "staging";
    private static final String CONTEXT = "{\"context\":{\"targetingKey\":\"user-1\"}}";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeEach
    void validated() {
        OfrepSchema.install();
    }

    @Test
    void aChangeThroughTheApiReachesTheAdvertisedStreamWithinOneSecond() throws Exception {
        String visible = flag(true);
        String hidden = flag(false);
        String clientKey = OfrepFixtures.issueKey(PROJECT, ENVIRONMENT, "client");
        Response first = await().atMost(Duration.ofSeconds(20)).until(() -> bulk(clientKey, null, null),
                r -> r.statusCode() == 200 && r.jsonPath().getList("flags.key").contains(visible));
        JsonNode stream = JSON.readTree(first.asString()).get("eventStreams").get(0);
        assertThat(stream.get("type").asText()).isEqualTo("sse");
        assertThat(stream.get("inactivityDelaySec").asInt()).isEqualTo(120);
        String url = stream.get("url").asText();
        assertThat(url).doesNotContain(clientKey).contains("/ofrep/v1/event-stream?token=");

        try (Subscription events = Subscription.open(url, null)) {
            assertThat(events.status).isEqualTo(200);
            // A flag the client key cannot see changes: nothing is announced (a public key learns nothing of it).
            setEnabled(hidden, false);
            assertThat(events.next(Duration.ofMillis(1500))).as("event for an invisible flag").isNull();

            long changed = setEnabled(visible, false);
            Map<String, String> event = events.next(Duration.ofSeconds(5));
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed);
            System.out.printf("OfrepEventStreamTest: change -> refetchEvaluation in %d ms (load average %s)%n", latencyMs,
                    java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
            assertThat(event).as("refetchEvaluation event").isNotNull();
            assertThat(latencyMs).as("change to event, ms").isLessThanOrEqualTo(1000);
            OfrepSchema.validateEvent(event);
            assertThat(event.get("event")).isEqualTo("message");
            JsonNode data = JSON.readTree(event.get("data"));
            assertThat(data.get("type").asText()).isEqualTo("refetchEvaluation");
            String etag = data.get("etag").asText();
            assertThat(event.get("id")).isEqualTo(etag);

            // The provider's re-fetch: flagConfigEtag from the event, If-None-Match from its last answer.
            Response refetched = bulk(clientKey, etag, first.header("ETag"));
            assertThat(refetched.statusCode()).isEqualTo(200);
            assertThat(refetched.jsonPath().getString("flags.find { it.key == '" + visible + "' }.reason")).isEqualTo("DISABLED");
            assertThat(bulk(clientKey, etag, refetched.header("ETag")).statusCode()).isEqualTo(304);

            // Reconnecting with the last event id it saw: nothing to re-announce; with an older one, at once.
            try (Subscription resumed = Subscription.open(url, etag)) {
                assertThat(resumed.next(Duration.ofMillis(800))).isNull();
            }
            try (Subscription behind = Subscription.open(url, "0".repeat(32))) {
                Map<String, String> caughtUp = behind.next(Duration.ofSeconds(5));
                assertThat(caughtUp).isNotNull();
                assertThat(caughtUp.get("id")).isEqualTo(etag);
            }
        }
    }

    @Test
    void aServerKeyHearsOfEveryFlagAndARevokedKeyLosesItsStream() throws Exception {
        String hidden = flag(false);
        Map<String, Object> issued = OfrepFixtures.issue(PROJECT, ENVIRONMENT, "server");
        String serverKey = (String) issued.get("key");
        String url = JSON.readTree(await().atMost(Duration.ofSeconds(20)).until(() -> bulk(serverKey, null, null),
                r -> r.statusCode() == 200 && r.jsonPath().getList("flags.key").contains(hidden)).asString())
                .get("eventStreams").get(0).get("url").asText();
        try (Subscription events = Subscription.open(url, null)) {
            setEnabled(hidden, false);
            assertThat(events.next(Duration.ofSeconds(5))).as("a server key's stream announces every flag").isNotNull();
            given().auth().oauth2(KeycloakResource.tokenFor("admin"))
                    .delete("/api/v1/projects/{p}/environments/{e}/sdk-keys/{id}", PROJECT, ENVIRONMENT, issued.get("id"))
                    .then().statusCode(204);
            Map<String, String> last = events.next(Duration.ofSeconds(10));
            assertThat(last).isNotNull();
            assertThat(last.get("event")).isEqualTo("error");
            assertThat(last.get("data")).contains("revoked");
        }
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(401);
    }

    @Test
    void hostileRequestsAreRefusedNamingTheField() throws Exception {
        String key = OfrepFixtures.issueKey(PROJECT, ENVIRONMENT, "client");
        String url = JSON.readTree(await().atMost(Duration.ofSeconds(20)).until(() -> bulk(key, null, null),
                r -> r.statusCode() == 200).asString()).get("eventStreams").get(0).get("url").asText();
        String base = url.substring(0, url.indexOf('?'));
        for (String query : List.of("", "?token=", "?token=" + "A".repeat(43), "?token=" + "x".repeat(5000), "?token=%00%0d%0a",
                "?token=" + key, "?token=" + url.substring(url.indexOf('=') + 1) + "x")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + query)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(query).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(query).startsWith("application/problem+json");
            assertThat(r.body()).as(query).contains("token");
        }
        // A client that can send headers may present the key itself, as for evaluation.
        HttpResponse<java.io.InputStream> withHeader = HTTP.send(HttpRequest.newBuilder(URI.create(base)).header("X-API-Key", key)
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(withHeader.statusCode()).isEqualTo(200);
        withHeader.body().close();
        for (String lastEventId : List.of("not-an-id", "1".repeat(33), "G".repeat(32))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Last-Event-ID", lastEventId)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(lastEventId).isEqualTo(400);
            assertThat(r.body()).as(lastEventId).contains("Last-Event-ID");
        }
        for (String etag : List.of("nope", "1".repeat(33), "'; drop table flag; --", "x".repeat(3_000))) {
            given().auth().oauth2(key).contentType(ContentType.JSON).queryParam("flagConfigEtag", etag).body(CONTEXT)
                    .post("/ofrep/v1/evaluate/flags")
                    .then().statusCode(400).body("errorCode", equalTo("PARSE_ERROR"), "errorDetails", containsString("flagConfigEtag"));
        }
        // A request line over the HTTP layer's 4 KiB limit never reaches the resource: 414 from Vert.x, not a 5xx.
        given().auth().oauth2(key).contentType(ContentType.JSON).queryParam("flagConfigEtag", "x".repeat(10_000)).body(CONTEXT)
                .post("/ofrep/v1/evaluate/flags").then().statusCode(414);
        // An etag this replica does not serve (yet): answered after the bounded wait, not refused, not hung.
        given().auth().oauth2(key).contentType(ContentType.JSON).queryParam("flagConfigEtag", "a".repeat(32)).body(CONTEXT)
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200);
        // flagConfigLastModified is accepted whatever it holds (nothing sends it); never a 5xx.
        given().auth().oauth2(key).contentType(ContentType.JSON).queryParam("flagConfigLastModified", "\u0000garbage").body(CONTEXT)
                .post("/ofrep/v1/evaluate/flags").then().statusCode(200);
    }

    /** A flag in {@link #PROJECT}, on, serving true to everyone. */
    private static String flag(boolean clientVisible) {
        String key = "ev-" + UUID.randomUUID().toString().substring(0, 8);
        String editor = KeycloakResource.tokenFor("requester");
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "E", "clientVisible", clientVisible))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        setEnabled(key, true);
        return key;
    }

    /** Changes the flag through the API; the moment the API answered (System.nanoTime). */
    private static long setEnabled(String key, boolean enabled) {
        Map<String, Object> config = Map.of("enabled", enabled, "offVariation", "off", "fallthrough", Map.of("variation", "on"));
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON).body(Map.of("config", config))
                .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, key, ENVIRONMENT).then().statusCode(200);
        return System.nanoTime();
    }

    private static Response bulk(String key, String flagConfigEtag, String ifNoneMatch) {
        var request = given().auth().oauth2(key).contentType(ContentType.JSON).body(CONTEXT);
        if (flagConfigEtag != null) {
            request.queryParam("flagConfigEtag", flagConfigEtag);
        }
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return request.post("/ofrep/v1/evaluate/flags");
    }

    /** An SSE connection read on its own thread; events (id, event, data) arrive in a queue, comments are dropped. */
    static final class Subscription implements AutoCloseable {
        final int status;
        private final BlockingQueue<Map<String, String>> events = new LinkedBlockingQueue<>();
        private final HttpResponse<java.io.InputStream> response;

        private Subscription(HttpResponse<java.io.InputStream> response) {
            this.response = response;
            this.status = response.statusCode();
            Thread reader = new Thread(this::read, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Subscription open(String url, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            return new Subscription(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        }

        /** The next event, or null when none came within {@code wait}. */
        Map<String, String> next(Duration wait) throws InterruptedException {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                Map<String, String> event = new HashMap<>();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isEmpty()) {
                        if (event.containsKey("data")) {
                            events.add(event);
                        }
                        event = new HashMap<>();
                    } else if (!line.startsWith(":") && line.contains(":")) {
                        String field = line.substring(0, line.indexOf(':'));
                        String value = line.substring(line.indexOf(':') + 1).replaceFirst("^ ", "");
                        event.merge(field, value, (a, b) -> a + "\n" + b);
                    }
                }
            } catch (java.io.IOException ignored) {
                // closed
            }
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }
}
