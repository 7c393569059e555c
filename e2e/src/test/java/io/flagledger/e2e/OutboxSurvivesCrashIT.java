package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.restassured.http.ContentType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * flag-api is killed (SIGKILL) while changes stream in and its outbox relay is publishing, then started again:
 * every committed change reaches Kafka, in order, and once per event id (a redelivery after the crash keeps its id,
 * so consumers deduplicate it).
 */
class OutboxSurvivesCrashIT {

    private static final String PROJECT = "crash";
    private static Stack stack;
    /** A request caught by the kill must fail, not hang. */
    private static final io.restassured.config.RestAssuredConfig TIMEOUTS = io.restassured.config.RestAssuredConfig.config()
            .httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                    .setParam("http.connection.timeout", 5_000).setParam("http.socket.timeout", 15_000));

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        stack = Stack.start(root, root.resolve("e2e/target/stack-crash"), List.of("flag-api"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void noCommittedChangeIsLostOrReorderedAcrossACrash() throws Exception {
        String editor = stack.token("requester");
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = "crash-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
            given().baseUri(stack.url("flag-api")).auth().oauth2(editor).contentType(ContentType.JSON)
                    .body(Map.of("key", key, "name", "Crash " + i)).post("/api/v1/projects/{p}/flags", PROJECT)
                    .then().statusCode(201);
            flags.add(key);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger accepted = new AtomicInteger();
        Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        Thread writer = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                String key = flags.get(i++ % flags.size());
                try {
                    int status = given().config(TIMEOUTS).baseUri(stack.url("flag-api")).auth().oauth2(editor).contentType(ContentType.JSON)
                            .body(Map.of("enabled", i % 2 == 0))
                            .post("/api/v1/projects/{p}/flags/{k}/environments/development/toggle", PROJECT, key).statusCode();
                    if (status == 200) {
                        accepted.incrementAndGet();
                    } else {
                        statuses.merge(status, 1, Integer::sum);
                    }
                } catch (Exception refusedWhileDown) { // RestAssured rethrows ConnectException unchecked-style
                    statuses.merge(-1, 1, Integer::sum);
                    sleep(50);
                }
            }
        });
        writer.start();
        // Progress-based rather than timed, so a slow machine still crashes the service in mid-stream.
        awaitAccepted(accepted, 30, statuses);
        stack.crashAndRestart("flag-api");
        awaitAccepted(accepted, accepted.get() + 30, statuses);
        running.set(false);
        writer.join(30_000);

        for (String key : flags) {
            int committed = given().baseUri(stack.url("flag-api")).auth().oauth2(stack.token("viewer"))
                    .get("/api/v1/projects/{p}/flags/{k}", PROJECT, key).then().statusCode(200).extract()
                    .path("environments.find { it.environment == 'development' }.version");
            assertThat(committed).as("changes committed to %s", key).isGreaterThan(10);
            List<AuditEvent> delivered = deliveredChanges(key, committed + 1);
            List<Long> versions = new ArrayList<>();
            for (AuditEvent event : delivered) {
                if (event.environment() != null) {
                    versions.add(event.newState().path("version").asLong());
                }
            }
            List<Long> expected = new ArrayList<>();
            for (long v = 1; v <= committed; v++) {
                expected.add(v);
            }
            assertThat(versions).as("versions of %s on Kafka, deduplicated by event id, in partition order", key)
                    .containsExactlyElementsOf(expected);
        }
    }

    /** Reads flag.changes until {@code expected} distinct events of the flag arrived; duplicates by event id are dropped. */
    private static List<AuditEvent> deliveredChanges(String key, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, AuditEvent> byId = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("flag.changes"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (byId.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    AuditEvent event = EventJson.parse(record.value());
                    if (key.equals(event.flagId())) {
                        byId.putIfAbsent(event.eventId(), event);
                    }
                }
            }
        }
        assertThat(byId).as("distinct events of %s on Kafka", key).hasSize(expected);
        return new ArrayList<>(byId.values());
    }

    private static void awaitAccepted(AtomicInteger accepted, int atLeast, Map<Integer, Integer> statuses) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (accepted.get() < atLeast && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertThat(accepted.get()).as("toggles accepted (other outcomes by status, -1 = connection failed: %s)", statuses)
                .isGreaterThanOrEqualTo(atLeast);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
