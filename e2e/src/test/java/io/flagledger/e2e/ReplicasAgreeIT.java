package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.e2e.bench.SseClient;
import io.restassured.http.ContentType;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two flag-api replicas on one database (with real Kafka and Keycloak): a change made through replica A reaches a
 * stream subscriber of replica B as a patch, and both then serve the same revision and the same evaluation.
 */
class ReplicasAgreeIT {

    private static final String PROJECT = "replicas";
    private static final String ENVIRONMENT = "staging";
    /** The correctness bound asserted here; the figures printed are what it took (docs/performance.md). */
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static Stack stack;
    private static ServiceProcess replicaB;

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        stack = Stack.start(root, root.resolve("e2e/target/replicas-stack"), List.of("flag-api"));
        replicaB = stack.startReplica("flag-api");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aChangeThroughOneReplicaReachesTheOthersSubscribersWithinTheBound() throws Exception {
        String a = stack.url("flag-api");
        String b = replicaB.url();
        String editor = stack.token("requester");
        String key = "replicated";
        given().baseUri(a).auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Replicated"))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        String sdkKey = given().baseUri(a).auth().oauth2(stack.token("admin")).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/{p}/environments/{e}/sdk-keys", PROJECT, ENVIRONMENT).then().statusCode(201)
                .extract().path("key");

        HttpClient http = HttpClient.newHttpClient();
        List<Long> micros = new ArrayList<>();
        // B learns of the key with its periodic key reload
        SseClient stream = openWhenKnown(http, b, sdkKey);
        try (stream) {
            stream.next(e -> "put".equals(e.name()) && e.data().contains(key), Duration.ofSeconds(30));
            for (int i = 0; i < 30; i++) {
                boolean enabled = i % 2 == 0;
                long sent = System.nanoTime();
                given().baseUri(a).auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("enabled", enabled))
                        .post("/api/v1/projects/{p}/flags/{k}/environments/{e}/toggle", PROJECT, key, ENVIRONMENT).then().statusCode(200);
                SseClient.Event patch = stream.next(e -> "patch".equals(e.name()) && e.data().contains("\"" + key + "\"")
                        && e.data().contains("\"enabled\":" + enabled), BOUND);
                micros.add((patch.arrivedNanos() - sent) / 1_000);
                // B evaluates with the new state, and both replicas name it with the same revision
                given().baseUri(b).header("Authorization", "Bearer " + sdkKey).contentType(ContentType.JSON)
                        .body(Map.of("context", Map.of("targetingKey", "u-" + i)))
                        .post("/ofrep/v1/evaluate/flags/{k}", key).then().statusCode(200)
                        .body("reason", org.hamcrest.Matchers.equalTo(enabled ? "STATIC" : "DISABLED"));
                awaitRevision(http, a, sdkKey, patch.id());
            }
        }
        Collections.sort(micros);
        System.out.printf("[replicas] change through A -> patch on B's stream, %d changes: p50 %.1f ms, max %.1f ms (loadavg %s)%n",
                micros.size(), micros.get(micros.size() / 2) / 1000.0, micros.get(micros.size() - 1) / 1000.0,
                java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static SseClient openWhenKnown(HttpClient http, String base, String sdkKey) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return SseClient.open(http, base, sdkKey);
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** A's stream starts at the revision B announced (A applies its own commit through the same notification). */
    private static void awaitRevision(HttpClient http, String base, String sdkKey, String revision) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String seen;
        do {
            try (SseClient fresh = SseClient.open(http, base, sdkKey)) {
                seen = fresh.next(e -> "put".equals(e.name()), Duration.ofSeconds(10)).id();
            }
        } while (!seen.equals(revision) && System.nanoTime() < deadline);
        assertThat(seen).as("replica A's revision").isEqualTo(revision);
    }
}
