package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.UuidV7;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue #11, "the ledger cannot be silenced", against the whole real stack (Kafka, Keycloak, PostgreSQL, the four
 * services as separate JVMs):
 * <ol>
 *   <li>the anonymous {@code GET /api/v1/projects/%00/flags}, then a legitimate toggle that must be in the ledger with
 *   a verified inclusion proof within {@link #BOUND}, and a second change after it;</li>
 *   <li>a hostile batch through every public API of the four services (each must get a 4xx, never a 5xx) and onto every
 *   consumed Kafka topic (each bad record on an audited topic must be in audit-service's quarantine with a reason),
 *   then a legitimate change proven within {@link #BOUND};</li>
 *   <li>a flood of token-less requests that may add only {@link #FLOOD_MAX_LEDGER_ENTRIES} entries to the ledger,
 *   with a legitimate change made during the flood proven within {@link #BOUND}.</li>
 * </ol>
 * Results are printed as a table, each line prefixed {@code [hostile-input]}, for docs/hostile-input.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {

    /** A legitimate change must be in the ledger with a verified inclusion proof this long after flag-api accepted it. */
    static final Duration BOUND = Duration.ofSeconds(30);
    static final int FLOOD_REQUESTS = 20_000;
    static final Duration FLOOD_TIME_LIMIT = Duration.ofSeconds(150);
    static final int FLOOD_MAX_LEDGER_ENTRIES = 20;
    /** flag-api's denial window (60 s) + its flush interval (5 s) + ingestion: when the last summary must be in. */
    static final Duration DENIAL_ACCOUNTING = Duration.ofSeconds(90);
    static final List<String> AUDITED_TOPICS = List.of("flag.changes", "approval.events", "monitor.actions", "security.events");
    static final List<String> CONSUMED_TOPICS = List.of("flag.changes", "approval.events", "monitor.actions", "security.events", "service.health");
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final String PROPOSED = "{\"enabled\":true,\"offVariation\":\"off\",\"fallthrough\":{\"rollout\":{\"variations\":"
            + "[{\"variation\":\"on\",\"weight\":10000},{\"variation\":\"off\",\"weight\":90000}]}}}";

    /** Text no event may carry, as JSON string literals (raw bytes, so a few are not even valid JSON or UTF-8). */
    private static final Map<String, byte[]> HOSTILE_STRINGS = new LinkedHashMap<>();
    private static final String WHERE_TEXT_BELONGS = " where text belongs";
    /** Template fields whose value may be any JSON (an OFREP context attribute): a number or boolean there is no attack. */
    private static final java.util.Set<String> ANY_JSON = java.util.Set.of("attribute");
    /** The same as percent-encoded URL text (path segments, query parameters, form fields): must get a 4xx. */
    private static final Map<String, String> HOSTILE_URL_TEXT = new LinkedHashMap<>();
    /**
     * Percent-encoded bytes that are not UTF-8: servers decode them to U+FFFD, a character events may carry, so a
     * 2xx/3xx is tolerated (counted apart); a 5xx is not.
     */
    private static final Map<String, String> INVALID_UTF8_URL_TEXT = new LinkedHashMap<>();

    static {
        HOSTILE_STRINGS.put("NUL as \\u0000", ascii("\"a\\u0000b\""));
        HOSTILE_STRINGS.put("C0 controls \\u0001\\u001b", ascii("\"a\\u0001\\u001bb\""));
        HOSTILE_STRINGS.put("lone high surrogate \\ud800", ascii("\"a\\ud800b\""));
        HOSTILE_STRINGS.put("lone low surrogate \\udfff", ascii("\"\\udfffb\""));
        HOSTILE_STRINGS.put("lone surrogate as raw bytes ED A0 80", new byte[] {'"', 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
        HOSTILE_STRINGS.put("raw NUL byte", new byte[] {'"', 'a', 0, 'b', '"'});
        HOSTILE_STRINGS.put("1e400" + WHERE_TEXT_BELONGS, ascii("1e400"));
        HOSTILE_STRINGS.put("true" + WHERE_TEXT_BELONGS, ascii("true"));
        HOSTILE_URL_TEXT.put("%00", "a%00b");
        HOSTILE_URL_TEXT.put("%01%1B", "a%01%1Bb");
        INVALID_UTF8_URL_TEXT.put("%ED%A0%80 (lone surrogate)", "a%ED%A0%80b");
        INVALID_UTF8_URL_TEXT.put("%C0%80 (overlong NUL)", "a%C0%80b");
        INVALID_UTF8_URL_TEXT.put("%FF", "a%FFb");
    }

    private static Stack stack;
    private static RawHttp http;
    private static String flagApi;
    private static String approvalApi;
    private static String auditApi;
    private static String monitorApi;
    /** Where legitimate toggles and the hostile requests that need an existing flag go. */
    private static final String FLAG = "hostile-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        stack = Stack.start(root, root.resolve("e2e/target/hostile-input"), Stack.ALL_SERVICES);
        http = new RawHttp();
        flagApi = stack.url("flag-api");
        approvalApi = stack.url("approval-service");
        auditApi = stack.url("audit-service");
        monitorApi = stack.url("monitor-service");
        System.out.println("[e2e] start times (ms): " + stack.startTimes());
        given().baseUri(flagApi).auth().oauth2(stack.token("requester")).contentType(ContentType.JSON)
                .body(Map.of("key", FLAG, "name", "Hostile input")).post("/api/v1/projects/shop/flags").then().statusCode(201);
    }

    @AfterAll
    static void stopStack() {
        if (http != null) {
            http.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void percentZeroThenALegitimateToggleIsProvenAndTheLedgerKeepsAdvancing() throws Exception {
        RawHttp.Response denied = http.send(flagApi, new RawHttp.Request("GET", "/api/v1/projects/%00/flags"), 30_000);
        assertThat(denied.status()).as("GET /api/v1/projects/%%00/flags without a token: %s", denied.head()).isBetween(400, 499);

        Duration first = legitimateChangeProven("after-nul");
        Duration second = legitimateChangeProven("after-nul-2");
        print("%00 scenario", List.of(
                row("GET /api/v1/projects/%00/flags (no token)", Integer.toString(denied.status())),
                row("toggle after it proven in (s)", seconds(first)),
                row("second toggle proven in (s)", seconds(second)),
                row("bound (s)", seconds(BOUND))));

        // Nothing is lost: the refused request itself is in the ledger, recorded safely (its path percent-escaped).
        String auditor = stack.token("auditor");
        List<Map<String, Object>> denials = Ledger.awaitSearch(stack, auditor, Map.of("source", "flag-api", "limit", 200), 1, BOUND)
                .getList("items.event");
        assertThat(denials).as("the %00 request's access.denied event in the ledger")
                .anySatisfy(e -> {
                    assertThat(String.valueOf(e.get("action"))).startsWith("access.denied");
                    assertThat(EventJson.mapper().writeValueAsString(e)).contains("%00").doesNotContain("\\u0000");
                });
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void hostileBatchThroughEveryApiAndOntoEveryTopicLeavesTheLedgerWorking() throws Exception {
        Tally tally = new Tally();
        List<String> controls = hostileHttp(tally);
        List<String> kafkaProblems = new ArrayList<>();
        List<Sent> records = hostileKafka(kafkaProblems);

        Duration proven = null;
        String provenProblem = null;
        try {
            proven = legitimateChangeProven("after-batch");
        } catch (Throwable e) {
            provenProblem = e.toString();
        }

        // The quarantine holds each bad record sent to an audited topic, with its reason.
        List<Sent> expectQuarantine = records.stream().filter(r -> r.quarantine && AUDITED_TOPICS.contains(r.topic)).toList();
        Map<Sent, String> quarantined = awaitQuarantined(expectQuarantine, BOUND);
        int replayedStored = replayedEventCount(records);
        Map<String, Integer> ready = readiness();
        int monitorRejected = countRows("monitor-service", "select count(*) from rejected_event");

        print("hostile batch", List.of(
                row("HTTP requests sent", Integer.toString(tally.sent)),
                row("answered 4xx", Integer.toString(tally.c4xx)),
                row("answered 5xx (must be 0)", Integer.toString(tally.c5xx)),
                row("answered 2xx/3xx or no answer (must be 0)", Integer.toString(tally.other)),
                row("tolerated 2xx/3xx: invalid UTF-8 in a URL read as U+FFFD, or a header HTTP allows on a read that ignores it", Integer.toString(tally.tolerated)),
                row("Kafka records sent (5 topics)", Integer.toString(records.size())),
                row("bad records on audited topics", Integer.toString(expectQuarantine.size())),
                row("  of them in audit-service's quarantine with a reason", Integer.toString(quarantined.size())),
                row("replayed genuine records stored again (must be 0)", Integer.toString(replayedStored)),
                row("monitor-service rejected_event rows", monitorRejected < 0 ? "n/a" : Integer.toString(monitorRejected)),
                row("next legitimate change proven in (s)", proven == null ? "not within " + seconds(BOUND) : seconds(proven)),
                row("bound (s)", seconds(BOUND))));
        tally.failures.forEach(f -> System.out.println("[hostile-input] not a 4xx: " + f));
        kafkaProblems.forEach(p -> System.out.println("[hostile-input] kafka: " + p));
        controls.forEach(p -> System.out.println("[hostile-input] control: " + p));
        expectQuarantine.stream().filter(r -> !quarantined.containsKey(r))
                .forEach(r -> System.out.println("[hostile-input] not quarantined: " + r));
        quarantined.forEach((r, reason) -> System.out.println("[hostile-input] quarantined " + r.what + " on " + r.topic + ": " + reason));

        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        soft.assertThat(tally.c5xx).as("5xx answers").isZero();
        soft.assertThat(tally.failures).as("hostile requests not answered with a 4xx").isEmpty();
        soft.assertThat(kafkaProblems).as("problems sending the hostile records").isEmpty();
        soft.assertThat(controls).as("control requests (the same requests without the hostile part must succeed)").isEmpty();
        soft.assertThat(expectQuarantine).as("bad records sent to audited topics").hasSizeGreaterThanOrEqualTo(4 * AUDITED_TOPICS.size());
        soft.assertThat(quarantined.keySet()).as("bad records in audit-service's quarantine").containsExactlyInAnyOrderElementsOf(expectQuarantine);
        soft.assertThat(quarantined.values()).as("quarantine reasons").allSatisfy(reason -> assertThat(reason).isNotBlank());
        soft.assertThat(replayedStored).as("ledger entries added by replaying genuine records").isZero();
        soft.assertThat(ready).as("readiness of each service after the batch").allSatisfy((s, code) -> assertThat(code).isEqualTo(200));
        soft.assertThat(provenProblem).as("legitimate change after the batch proven within " + BOUND).isNull();
        soft.assertAll();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void aDenialFloodCostsTheLedgerABoundedNumberOfEntries() throws Exception {
        // Denials of the earlier tests reach the ledger asynchronously: start counting once it has stopped growing.
        settle("select coalesce(max(seq), 0) from ledger_entry");
        long before = countRows("audit-service", "select coalesce(max(seq), 0) from ledger_entry");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore inFlight = new Semaphore(32);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger c4xx = new AtomicInteger();
        AtomicInteger c5xx = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Duration> legitimate = null;
        long start = System.nanoTime();
        long deadline = start + FLOOD_TIME_LIMIT.toNanos();
        for (int i = 0; i < FLOOD_REQUESTS && System.nanoTime() < deadline; i++) {
            if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
                break;
            }
            if (i == FLOOD_REQUESTS / 4) {
                legitimate = CompletableFuture.supplyAsync(uncheck(() -> legitimateChangeProven("during-flood")));
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(flagApi + "/api/v1/projects/shop/flags"))
                    .timeout(Duration.ofSeconds(30)).header("User-Agent", "flood/" + (i % 7));
            if (i % 10 == 0) {
                request.header("X-Flagledger-Channel", "x"); // no header lets a caller skip denial recording
            }
            sent.incrementAndGet();
            client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                inFlight.release();
                if (e != null) {
                    failed.incrementAndGet();
                } else if (r.statusCode() >= 500) {
                    c5xx.incrementAndGet();
                } else if (r.statusCode() >= 400) {
                    c4xx.incrementAndGet();
                }
            });
        }
        inFlight.tryAcquire(32, 60, TimeUnit.SECONDS);
        double floodSeconds = (System.nanoTime() - start) / 1e9;
        Duration proven = null;
        String provenProblem = null;
        try {
            proven = legitimate == null ? null : legitimate.get(BOUND.toSeconds() + FLOOD_TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            provenProblem = e.getCause() == null ? e.toString() : e.getCause().toString();
        }
        // Denials reach the ledger asynchronously, the suppressed ones as a summary per window: wait until the ledger
        // accounts for every refused request (full events + summary counts), at most DENIAL_ACCOUNTING after the flood.
        long[] ledger = awaitDenialsAccounted(before, c4xx.get());
        long entries = ledger[0];
        long accounted = ledger[1];

        print("denial flood", List.of(
                row("token-less requests sent", Integer.toString(sent.get())),
                row("flood duration (s)", String.format("%.1f", floodSeconds)),
                row("answered 4xx", Integer.toString(c4xx.get())),
                row("answered 5xx (must be 0)", Integer.toString(c5xx.get())),
                row("no answer", Integer.toString(failed.get())),
                row("access.denied* ledger entries the flood added (max " + FLOOD_MAX_LEDGER_ENTRIES + ")", Long.toString(entries)),
                row("denials those entries account for (full + summary counts)", Long.toString(accounted)),
                row("legitimate change during the flood proven in (s)", proven == null ? "not within " + seconds(BOUND) : seconds(proven)),
                row("bound (s)", seconds(BOUND))));

        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        soft.assertThat(legitimate).as("a legitimate change was made during the flood").isNotNull();
        soft.assertThat(c5xx.get()).as("5xx answers to the flood").isZero();
        soft.assertThat(c4xx.get()).as("4xx answers to the flood").isEqualTo(sent.get() - failed.get());
        soft.assertThat(entries).as("denials recorded at all (the flood is not silent)").isPositive();
        soft.assertThat(accounted).as("refused requests the ledger accounts for (nothing lost)").isGreaterThanOrEqualTo(c4xx.get());
        soft.assertThat(entries).as("ledger entries the flood added").isLessThanOrEqualTo(FLOOD_MAX_LEDGER_ENTRIES);
        soft.assertThat(provenProblem).as("legitimate change during the flood proven within " + BOUND).isNull();
        soft.assertAll();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Legitimate changes

    private static final AtomicInteger TOGGLES = new AtomicInteger();

    /** The last legitimate change proven: who made it, under which correlation id (a filter that matches something). */
    record Legitimate(String actorId, String correlationId) {
    }

    private static volatile Legitimate legitimate = new Legitimate("nobody", "none");

    /** Toggles {@link #FLAG} in staging as a real Keycloak user; returns how long until its inclusion proof verified. */
    static Duration legitimateChangeProven(String label) throws Exception {
        String editor = stack.token("requester");
        String auditor = stack.token("auditor");
        String correlationId = "legit-" + label + "-" + UUID.randomUUID();
        boolean enabled = TOGGLES.incrementAndGet() % 2 == 1;
        long t0 = System.nanoTime();
        given().baseUri(flagApi).auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", correlationId)
                .body(Map.of("enabled", enabled, "reason", "Legitimate change " + label))
                .post("/api/v1/projects/shop/flags/{key}/environments/staging/toggle", FLAG)
                .then().statusCode(200);
        JsonPath page = Ledger.awaitSearch(stack, auditor, Map.of("correlation_id", correlationId, "action", "flag.toggled"), 1, BOUND);
        Duration left = BOUND.minusNanos(System.nanoTime() - t0);
        JsonPath proven = Ledger.awaitProof(stack, auditor, page.getString("items[0].event.event_id"),
                left.isNegative() ? Duration.ofMillis(1) : left);
        Ledger.assertInclusionProven(stack, proven);
        legitimate = new Legitimate(proven.getString("event.actor_id"), correlationId);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).as("toggle → verified inclusion proof").isLessThanOrEqualTo(BOUND);
        return took;
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP

    static final class Tally {
        int sent;
        int c4xx;
        int c5xx;
        int other;
        int tolerated;
        final List<String> failures = new ArrayList<>();

        /** Input the service may read harmlessly (see callers): 4xx, or a 2xx/3xx counted apart; never a 5xx or no answer. */
        void expectNo5xx(String service, String what, RawHttp.Response r) {
            if (r.status() >= 200 && r.status() < 400) {
                sent++;
                tolerated++;
            } else {
                expect4xx(service, what, r);
            }
        }

        void expect4xx(String service, String what, RawHttp.Response r) {
            sent++;
            if (r.status() >= 400 && r.status() < 500) {
                c4xx++;
                return;
            }
            if (r.status() >= 500) {
                c5xx++;
            } else {
                other++;
            }
            failures.add(service + " " + what + " → " + (r.status() < 0 ? "no answer" : r.status()) + " "
                    + r.head().replaceAll("[\\r\\n]+", " ⏎ ").substring(0, Math.min(r.head().length(), 300)));
        }
    }

    /** One request: must be refused with a 4xx. */
    private static void hostile(Tally tally, String service, String what, RawHttp.Request request) {
        tally.expect4xx(service, what, http.send(stack.url(service), request, 60_000));
    }

    /** The same request without anything hostile in it must succeed, or the hostile variants prove nothing. */
    private static void control(List<String> problems, String service, String what, RawHttp.Request request) {
        RawHttp.Response r = http.send(stack.url(service), request, 60_000);
        if (r.status() < 200 || r.status() > 399) {
            problems.add("control request " + service + " " + what + " → " + r.status() + " " + r.head());
        }
    }

    /**
     * A JSON body template with {@code @field@} placeholders: each field in turn gets each hostile value while the
     * others keep their valid defaults; {@code @key@} is always a fresh flag/segment key unless it is the field under test.
     */
    private void jsonFields(Tally tally, List<String> controls, String service, String method, String path, Supplier<String> token,
                            String template, Map<String, String> defaults, boolean withControl) {
        for (String field : defaults.keySet()) {
            for (Map.Entry<String, byte[]> value : HOSTILE_STRINGS.entrySet()) {
                if (ANY_JSON.contains(field) && value.getKey().endsWith(WHERE_TEXT_BELONGS)) {
                    continue;
                }
                hostile(tally, service, method + " " + path + " " + field + "=" + value.getKey(),
                        new RawHttp.Request(method, path).bearer(token.get()).json(fill(template, defaults, field, value.getValue())));
            }
        }
        if (withControl) {
            control(controls, service, method + " " + path, new RawHttp.Request(method, path).bearer(token.get())
                    .json(fill(template, defaults, null, null)));
        }
    }

    private static byte[] fill(String template, Map<String, String> defaults, String field, byte[] hostile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = template.split("@", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i % 2 == 0) {
                out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
            } else if (parts[i].equals(field)) {
                out.writeBytes(hostile);
            } else if (parts[i].equals("key")) {
                out.writeBytes(ascii("\"h-" + UUID.randomUUID().toString().substring(0, 12) + "\""));
            } else {
                out.writeBytes(defaults.get(parts[i]).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** Bodies no endpoint should take: 10 MB, 10,000 levels of nesting, 100,000-element arrays, 1e400, broken JSON. */
    private static void hostileBodies(Tally tally, String service, String method, String path, String token,
                                      String arrayField, String numberTemplate) {
        StringBuilder big = new StringBuilder(TEN_MB + 64).append("{\"reason\":\"");
        big.append("x".repeat(TEN_MB)).append("\"}");
        hostile(tally, service, method + " " + path + " 10 MB body", new RawHttp.Request(method, path).bearer(token).json(big.toString()));
        hostile(tally, service, method + " " + path + " 10 MB of [", new RawHttp.Request(method, path).bearer(token).json("[".repeat(TEN_MB)));
        String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        hostile(tally, service, method + " " + path + " 10,000 levels of nesting", new RawHttp.Request(method, path).bearer(token).json(deep));
        String array = "{\"" + arrayField + "\":[" + String.join(",", Collections.nCopies(100_000, "\"x\"")) + "]}";
        hostile(tally, service, method + " " + path + " 100,000-element " + arrayField, new RawHttp.Request(method, path).bearer(token).json(array));
        hostile(tally, service, method + " " + path + " 1e400", new RawHttp.Request(method, path).bearer(token).json(numberTemplate.replace("@n@", "1e400")));
        hostile(tally, service, method + " " + path + " -1e400", new RawHttp.Request(method, path).bearer(token).json(numberTemplate.replace("@n@", "-1e400")));
        hostile(tally, service, method + " " + path + " truncated JSON", new RawHttp.Request(method, path).bearer(token).json("{\"reason\":\"ab"));
        hostile(tally, service, method + " " + path + " invalid UTF-8 outside strings",
                new RawHttp.Request(method, path).bearer(token).json(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
    }

    /**
     * Headers with raw NUL, CR, LF, lone-surrogate bytes, and overlong correlation ids; with and without a token. Bytes
     * HTTP itself forbids in a header (NUL, bare CR or LF, other controls) must get a 4xx everywhere; header values HTTP
     * allows (an obs-folded line, Latin-1 bytes, a long value) must get a 4xx where the service records them (writes), and
     * are tolerated on reads that ignore them ({@code recorded == false}).
     */
    private static void hostileHeaders(Tally tally, String service, String method, String path, String token, String body) {
        hostileHeaders(tally, service, method, path, token, body, !method.equals("GET"));
    }

    private static void hostileHeaders(Tally tally, String service, String method, String path, String token, String body,
                                       boolean recorded) {
        List<String> validHttp = List.of("X-Correlation-Id folded (CRLF SP)", "X-Correlation-Id with lone-surrogate bytes",
                "X-Correlation-Id of 10,000 chars");
        Map<String, String[]> headers = new LinkedHashMap<>();
        headers.put("X-Correlation-Id with a bare CR", new String[] {"X-Correlation-Id", "a\rb"});
        headers.put("X-Correlation-Id with a bare LF", new String[] {"X-Correlation-Id", "a\nb"});
        headers.put("X-Correlation-Id folded (CRLF SP)", new String[] {"X-Correlation-Id", "a\r\n b"});
        headers.put("X-Correlation-Id with NUL", new String[] {"X-Correlation-Id", "a\0b"});
        headers.put("X-Correlation-Id with ESC", new String[] {"X-Correlation-Id", "a\u001bb"});
        headers.put("X-Correlation-Id with lone-surrogate bytes", new String[] {"X-Correlation-Id", "a\u00ed\u00a0\u0080b"});
        headers.put("X-Correlation-Id of 10,000 chars", new String[] {"X-Correlation-Id", "c".repeat(10_000)});
        headers.put("User-Agent with NUL", new String[] {"User-Agent", "agent\0x"});
        headers.put("User-Agent with a bare LF", new String[] {"User-Agent", "agent\nx"});
        headers.put("Authorization with NUL", new String[] {"Authorization", "Bearer a\0b"});
        headers.put("If-Match with NUL", new String[] {"If-Match", "\"0\0\""});
        for (Map.Entry<String, String[]> h : headers.entrySet()) {
            for (String t : token == null ? new String[] {null} : new String[] {token, null}) {
                RawHttp.Request request = new RawHttp.Request(method, path);
                if (!h.getValue()[0].equals("Authorization")) {
                    request.bearer(t);
                }
                request.header(h.getValue()[0], h.getValue()[1]);
                if (body != null) {
                    request.json(body);
                }
                String what = method + " " + path + " " + h.getKey() + (t == null ? " (no token)" : "");
                if (recorded || !validHttp.contains(h.getKey())) {
                    hostile(tally, service, what, request);
                } else {
                    tally.expectNo5xx(service, what, http.send(stack.url(service), request, 60_000));
                }
            }
        }
    }

    /** The path itself: percent-encoded NUL/C0/surrogates/invalid UTF-8 in a segment, raw control bytes in the request line. */
    private static void hostilePaths(Tally tally, String service, String method, String pathWithSlot, String token) {
        for (Map.Entry<String, String> v : HOSTILE_URL_TEXT.entrySet()) {
            String path = pathWithSlot.replace("{}", v.getValue());
            hostile(tally, service, method + " " + path, new RawHttp.Request(method, path).bearer(token));
            hostile(tally, service, method + " " + path + " (no token)", new RawHttp.Request(method, path));
        }
        for (Map.Entry<String, String> v : INVALID_UTF8_URL_TEXT.entrySet()) {
            String path = pathWithSlot.replace("{}", v.getValue());
            tally.expectNo5xx(service, method + " " + path, http.send(stack.url(service), new RawHttp.Request(method, path).bearer(token), 60_000));
        }
        for (String raw : List.of("a\0b", "a\u0001b", "a\u00ed\u00a0\u0080b")) {
            String path = pathWithSlot.replace("{}", raw);
            hostile(tally, service, method + " raw control bytes in the request target " + printable(path),
                    new RawHttp.Request(method, path).bearer(token));
        }
    }

    private static void callers(Tally tally, String service, String method, String path, String body, Map<String, String> wrong) {
        for (Map.Entry<String, String> caller : wrong.entrySet()) {
            RawHttp.Request r = new RawHttp.Request(method, path).bearer(caller.getValue());
            if (body != null) {
                r.json(body);
            }
            hostile(tally, service, method + " " + path + " as " + caller.getKey(), r);
        }
        RawHttp.Request channel = new RawHttp.Request(method, path).header("X-Flagledger-Channel", "x");
        if (body != null) {
            channel.json(body);
        }
        hostile(tally, service, method + " " + path + " no token, X-Flagledger-Channel: x", channel);
    }

    /** Sends the hostile HTTP batch; returns the problems of the control requests (empty when all succeeded). */
    private List<String> hostileHttp(Tally tally) throws Exception {
        List<String> controls = new ArrayList<>();
        String editor = stack.token("requester");
        String admin = stack.token("admin");
        String auditor = stack.token("auditor");
        String approver = stack.token("approver1");
        String viewer = stack.token("viewer");
        String expired = stack.expiredToken("requester");
        String expiredAdmin = stack.expiredToken("admin");
        Supplier<String> editorToken = () -> editor;
        Map<String, String> notEditors = new LinkedHashMap<>();
        notEditors.put("viewer (wrong role)", viewer);
        notEditors.put("auditor (wrong role)", auditor);
        notEditors.put("an expired token", expired);
        notEditors.put("a forged token", editor.substring(0, editor.lastIndexOf('.') + 1) + "AAAA");
        notEditors.put("garbage", "not-a-jwt");
        String archived = "hostile-arch-" + UUID.randomUUID().toString().substring(0, 6);
        given().baseUri(flagApi).auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", archived, "name", "Archive me"))
                .post("/api/v1/projects/shop/flags").then().statusCode(201);
        String flags = "/api/v1/projects/shop/flags";
        String flag = flags + "/" + FLAG;

        // ---- flag-api: management API
        jsonFields(tally, controls, "flag-api", "POST", flags, editorToken,
                "{\"key\":@key@,\"name\":@name@,\"description\":@description@,\"reason\":@reason@,\"owner\":@owner@,\"tags\":[@tag@]}",
                linked("key", "\"k\"", "name", "\"Hostile\"", "description", "\"d\"", "reason", "\"r\"", "owner", "\"team-a\"", "tag", "\"t\""), true);
        jsonFields(tally, controls, "flag-api", "POST", flags, editorToken,
                "{\"key\":@key@,\"name\":\"Variations\",\"type\":\"string\",\"variations\":[{\"name\":@variation@,\"value\":@value@},{\"name\":\"b\",\"value\":\"b\"}]}",
                linked("variation", "\"a\"", "value", "\"a\""), true);
        jsonFields(tally, controls, "flag-api", "PATCH", flag, editorToken,
                "{\"name\":@name@,\"description\":@description@,\"owner\":@owner@,\"tags\":[@tag@],\"reason\":@reason@}",
                linked("name", "\"Hostile input\"", "description", "\"d\"", "owner", "\"team-a\"", "tag", "\"t\"", "reason", "\"r\""), true);
        // No control request: archive and restore of a flag production serves need an approval token (428 without one,
        // flag-api ProtectedFlagOperationsTest); the hostile values must still be refused, never 5xx.
        jsonFields(tally, controls, "flag-api", "POST", flags + "/" + archived + "/archive", editorToken, "{\"reason\":@reason@}",
                linked("reason", "\"r\""), false);
        jsonFields(tally, controls, "flag-api", "POST", flags + "/" + archived + "/restore", editorToken, "{\"reason\":@reason@}",
                linked("reason", "\"r\""), false);
        jsonFields(tally, controls, "flag-api", "POST", flag + "/environments/staging/toggle", editorToken,
                "{\"enabled\":false,\"reason\":@reason@,\"correlationId\":@correlationId@}",
                linked("reason", "\"r\"", "correlationId", "\"cid-1\""), false);
        jsonFields(tally, controls, "flag-api", "PUT", flag + "/environments/staging", editorToken,
                "{\"config\":{\"enabled\":false,\"offVariation\":@offVariation@,\"fallthrough\":{\"rollout\":{\"variations\":"
                        + "[{\"variation\":@variation@,\"weight\":10000},{\"variation\":\"off\",\"weight\":90000}]}}},\"reason\":@reason@,\"correlationId\":@correlationId@}",
                linked("offVariation", "\"off\"", "variation", "\"on\"", "reason", "\"r\"", "correlationId", "\"cid-2\""), false);
        String segments = "/api/v1/projects/shop/environments/staging/segments/";
        jsonFields(tally, controls, "flag-api", "PUT", segments + "seg-" + UUID.randomUUID().toString().substring(0, 6), editorToken,
                "{\"definition\":{\"included\":[@member@],\"excluded\":[@excluded@]},\"reason\":@reason@}",
                linked("member", "\"user-1\"", "excluded", "\"user-2\"", "reason", "\"r\""), true);
        jsonFields(tally, controls, "flag-api", "POST", "/api/v1/projects/shop/environments/staging/sdk-keys", () -> admin,
                "{\"kind\":@kind@}", linked("kind", "\"server\""), false);
        hostileBodies(tally, "flag-api", "POST", flags, editor, "tags", "{\"key\":\"n1\",\"name\":\"n\",\"variations\":[{\"name\":\"a\",\"value\":@n@},{\"name\":\"b\",\"value\":1}]}");
        hostileBodies(tally, "flag-api", "PUT", flag + "/environments/staging", editor, "config",
                "{\"config\":{\"enabled\":true,\"offVariation\":\"off\",\"fallthrough\":{\"rollout\":{\"variations\":[{\"variation\":\"on\",\"weight\":@n@}]}}}}");
        hostileBodies(tally, "flag-api", "PUT", segments + "seg-big", editor, "reason", "{\"definition\":{\"included\":[@n@]}}");
        String hugeSegment = "{\"definition\":{\"included\":[" + String.join(",", Collections.nCopies(100_000, "\"member-with-a-long-name-0000\"")) + "]}}";
        hostile(tally, "flag-api", "PUT segment with 100,000 members", new RawHttp.Request("PUT", segments + "seg-huge").bearer(editor).json(hugeSegment));
        String reason2001 = "{\"enabled\":true,\"reason\":\"" + "r".repeat(2001) + "\"}";
        hostile(tally, "flag-api", "toggle with a 2,001-character reason", new RawHttp.Request("POST", flag + "/environments/staging/toggle").bearer(editor).json(reason2001));
        hostileHeaders(tally, "flag-api", "POST", flag + "/environments/staging/toggle", editor, "{\"enabled\":false,\"reason\":\"h\"}");
        hostileHeaders(tally, "flag-api", "GET", flags, null, null);
        hostilePaths(tally, "flag-api", "GET", "/api/v1/projects/{}/flags", editor);
        hostilePaths(tally, "flag-api", "GET", flags + "/{}", editor);
        hostilePaths(tally, "flag-api", "POST", flags + "/{}/environments/staging/toggle", editor);
        callers(tally, "flag-api", "POST", flag + "/environments/staging/toggle", "{\"enabled\":false}", notEditors);
        callers(tally, "flag-api", "POST", "/api/v1/projects/shop/environments/staging/sdk-keys", "{\"kind\":\"server\"}",
                linked("requester (wrong role)", editor, "an expired admin token", expiredAdmin));

        // ---- flag-api: incident freezes (role flag-freezer), each in a project of its own: a freeze of "shop" would
        // refuse the writes the rest of this test makes
        String freezer = stack.token("freezer");
        String frozen = "/api/v1/projects/hostile-frz-" + UUID.randomUUID().toString().substring(0, 6) + "/freezes";
        jsonFields(tally, controls, "flag-api", "POST", frozen, () -> freezer, "{\"environment\":@environment@,\"reason\":@reason@,\"ticket\":@ticket@}",
                linked("environment", "\"staging\"", "reason", "\"r\"", "ticket", "\"INC-1\""), true);
        hostileBodies(tally, "flag-api", "POST", frozen, freezer, "reason", "{\"reason\":\"r\",\"ticket\":@n@}");
        hostileHeaders(tally, "flag-api", "POST", frozen, freezer, "{\"reason\":\"h\"}");
        hostilePaths(tally, "flag-api", "GET", "/api/v1/projects/{}/freezes", freezer);
        hostilePaths(tally, "flag-api", "GET", frozen + "/{}", freezer);
        hostilePaths(tally, "flag-api", "POST", frozen + "/{}/lift", freezer);
        callers(tally, "flag-api", "POST", frozen, "{\"reason\":\"r\"}",
                linked("requester (wrong role)", editor, "viewer (wrong role)", viewer, "an expired token", expired));
        String lifted = "/api/v1/projects/hostile-frz-" + UUID.randomUUID().toString().substring(0, 6) + "/freezes";
        String liftId = given().baseUri(flagApi).auth().oauth2(freezer).contentType(ContentType.JSON).body(Map.of("reason", "to be lifted"))
                .post(lifted).then().statusCode(201).extract().path("id");
        jsonFields(tally, controls, "flag-api", "POST", lifted + "/" + liftId + "/lift", () -> freezer, "{\"reason\":@reason@}",
                linked("reason", "\"r\""), true);

        // ---- flag-api: OFREP and the SDK stream (SDK keys, not user tokens)
        String sdkKey = given().baseUri(flagApi).auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("kind", "server"))
                .post("/api/v1/projects/shop/environments/staging/sdk-keys").then().statusCode(201).extract().path("key");
        jsonFields(tally, controls, "flag-api", "POST", "/ofrep/v1/evaluate/flags/" + FLAG, () -> sdkKey,
                "{\"context\":{\"targetingKey\":@targetingKey@,\"country\":@attribute@}}", linked("targetingKey", "\"user-1\"", "attribute", "\"nl\""), true);
        hostileBodies(tally, "flag-api", "POST", "/ofrep/v1/evaluate/flags", sdkKey, "context", "{\"context\":{\"targetingKey\":\"u\",\"n\":@n@}}");
        hostilePaths(tally, "flag-api", "POST", "/ofrep/v1/evaluate/flags/{}", sdkKey);
        hostileHeaders(tally, "flag-api", "POST", "/ofrep/v1/evaluate/flags", sdkKey, "{\"context\":{\"targetingKey\":\"u\"}}", false);
        for (String key : List.of("a\0b", "not-a-key", "")) {
            hostile(tally, "flag-api", "GET /sdk/v1/stream with X-API-Key " + printable(key),
                    new RawHttp.Request("GET", "/sdk/v1/stream").header("X-API-Key", key));
        }
        hostile(tally, "flag-api", "GET /sdk/v1/stream with a user token instead of an SDK key", new RawHttp.Request("GET", "/sdk/v1/stream").bearer(editor));
        hostile(tally, "flag-api", "GET /sdk/v1/stream with Last-Event-ID carrying a bare LF",
                new RawHttp.Request("GET", "/sdk/v1/stream").bearer(sdkKey).header("Last-Event-ID", "1\n2"));

        // ---- approval-service: JSON API
        String changeRequest = given().baseUri(approvalApi).auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("project", "shop", "flag", FLAG, "environment", "production", "baseVersion", 0,
                        "config", EventJson.mapper().readTree(PROPOSED), "reason", "Hostile batch target", "correlationId", "hostile-cr"))
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        String crs = "/api/v1/change-requests";
        String crFlag = "hostile-cr-" + UUID.randomUUID().toString().substring(0, 6); // no pending request: a 409 would hide a missing 400
        given().baseUri(flagApi).auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", crFlag, "name", "CR target"))
                .post(flags).then().statusCode(201);
        jsonFields(tally, controls, "approval-service", "POST", crs, editorToken,
                "{\"project\":@project@,\"flag\":@flag@,\"environment\":@environment@,\"baseVersion\":0,\"config\":" + PROPOSED
                        + ",\"reason\":@reason@,\"correlationId\":@correlationId@}",
                linked("project", "\"shop\"", "flag", "\"" + crFlag + "\"", "environment", "\"production\"", "reason", "\"r\"", "correlationId", "\"c\""), false);
        jsonFields(tally, controls, "approval-service", "POST", crs, editorToken,
                "{\"project\":\"shop\",\"segment\":\"seg-cr\",\"environment\":\"production\",\"baseVersion\":0,"
                        + "\"definition\":{\"included\":[@member@]},\"reason\":\"r\"}", linked("member", "\"u\""), false);
        jsonFields(tally, controls, "approval-service", "POST", crs + "/" + changeRequest + "/approvals", () -> approver,
                "{\"comment\":@comment@}", linked("comment", "\"ok\""), false);
        jsonFields(tally, controls, "approval-service", "POST", crs + "/" + changeRequest + "/rejections", () -> approver,
                "{\"comment\":@comment@}", linked("comment", "\"no\""), false);
        jsonFields(tally, controls, "approval-service", "PUT", crs + "/" + changeRequest + "/proposal", editorToken,
                "{\"config\":" + PROPOSED + ",\"baseVersion\":0,\"comment\":@comment@}", linked("comment", "\"c\""), false);
        jsonFields(tally, controls, "approval-service", "POST", crs + "/" + changeRequest + "/withdrawal", editorToken,
                "{\"reason\":@reason@}", linked("reason", "\"r\""), false);
        hostileBodies(tally, "approval-service", "POST", crs, editor, "config",
                "{\"project\":\"shop\",\"flag\":\"" + FLAG + "\",\"environment\":\"production\",\"baseVersion\":0,\"config\":{\"enabled\":true,\"offVariation\":\"off\","
                        + "\"fallthrough\":{\"rollout\":{\"variations\":[{\"variation\":\"on\",\"weight\":@n@}]}}},\"reason\":\"r\"}");
        hostileBodies(tally, "approval-service", "PUT", crs + "/" + changeRequest + "/proposal", editor, "config",
                "{\"config\":{\"enabled\":true,\"offVariation\":\"off\",\"fallthrough\":{\"rollout\":{\"variations\":[{\"variation\":\"on\",\"weight\":@n@}]}}},\"baseVersion\":0}");
        hostileHeaders(tally, "approval-service", "POST", crs, editor, "{\"project\":\"shop\"}");
        hostilePaths(tally, "approval-service", "GET", crs + "/{}", viewer);
        hostilePaths(tally, "approval-service", "POST", crs + "/{}/approvals", approver);
        hostilePaths(tally, "approval-service", "GET", crs + "?project={}", viewer);
        callers(tally, "approval-service", "POST", crs, "{\"project\":\"shop\"}", notEditors);
        callers(tally, "approval-service", "POST", crs + "/" + changeRequest + "/approvals", "{\"comment\":\"ok\"}",
                linked("the requester (wrong role)", editor, "an expired token", stack.expiredToken("approver1")));

        // ---- approval-service: console form posts (signed in through Keycloak like a browser, with the CSRF token)
        try {
            // the CSRF field is in the filing form once a flag is loaded, and in a request's decision form
            ConsoleSession console = new ConsoleSession(approvalApi, "/console/new?project=shop&flag=" + crFlag + "&environment=production",
                    "requester", stack.realm().password("requester"));
            ConsoleSession approverConsole = new ConsoleSession(approvalApi, "/console/requests/" + changeRequest,
                    "approver2", stack.realm().password("approver2"));
            Map<String, String> filing = linked("project", "shop", "flag", crFlag, "environment", "production", "baseVersion", "0",
                    "config", PROPOSED, "reason", "r", "correlationId", "c");
            consoleForm(tally, console, "/console/new", filing);
            String revision = given().baseUri(approvalApi).auth().oauth2(viewer).get(crs + "/{id}", changeRequest)
                    .then().statusCode(200).extract().jsonPath().getString("revision");
            consoleForm(tally, approverConsole, "/console/requests/" + changeRequest + "/approve", linked("revision", revision, "comment", "ok"));
            consoleForm(tally, approverConsole, "/console/requests/" + changeRequest + "/reject", linked("revision", revision, "comment", "no"));
            hostile(tally, "approval-service", "POST /console/new 10 MB form", new RawHttp.Request("POST", "/console/new")
                    .header("Cookie", console.cookieHeader()).form(console.csrfField + "=" + console.csrfToken + "&reason=" + "x".repeat(TEN_MB)));
            hostile(tally, "approval-service", "POST /console/new without the CSRF token", new RawHttp.Request("POST", "/console/new")
                    .header("Cookie", console.cookieHeader()).form("project=shop&flag=" + FLAG + "&environment=production&reason=r"));
            hostile(tally, "approval-service", "POST /console/requests/…/approve as the requester (wrong role)",
                    new RawHttp.Request("POST", "/console/requests/" + changeRequest + "/approve").header("Cookie", console.cookieHeader())
                            .form(console.csrfField + "=" + console.csrfToken + "&revision=" + revision + "&comment=ok"));
        } catch (Exception e) {
            controls.add("console sign-in failed, console form posts not sent: " + e);
        }

        // ---- audit-service: query, proof, export, legal holds
        String events = "/api/v1/audit/events";
        for (String param : List.of("project", "flag", "environment", "actor", "action", "correlation_id", "actor_type", "source",
                "channel", "from", "to", "cursor", "limit")) {
            hostilePaths(tally, "audit-service", "GET", events + "?" + param + "={}", auditor);
        }
        hostile(tally, "audit-service", "GET events?limit=1e400", new RawHttp.Request("GET", events + "?limit=1e400").bearer(auditor));
        hostile(tally, "audit-service", "GET events?cursor=1e400", new RawHttp.Request("GET", events + "?cursor=1e400").bearer(auditor));
        hostilePaths(tally, "audit-service", "GET", events + "/{}", auditor);
        hostile(tally, "audit-service", "GET events/{id}?tree_size=1e400",
                new RawHttp.Request("GET", events + "/" + UUID.randomUUID() + "?tree_size=1e400").bearer(auditor));
        hostilePaths(tally, "audit-service", "GET", "/api/v1/audit/flags/{}/x/timeline", auditor);
        hostilePaths(tally, "audit-service", "GET", "/api/v1/audit/proofs/consistency?from=1&to={}", auditor);
        hostile(tally, "audit-service", "GET proofs/consistency from=1e400", new RawHttp.Request("GET", "/api/v1/audit/proofs/consistency?from=1e400&to=1").bearer(auditor));
        jsonFields(tally, controls, "audit-service", "POST", "/api/v1/audit/exports", () -> auditor,
                "{\"filter\":{\"project\":@project@,\"flag\":@flag@,\"actor\":@actor@,\"correlationId\":@correlationId@,\"from\":@from@},"
                        + "\"reason\":@reason@,\"ticket\":@ticket@}",
                linked("project", "\"shop\"", "flag", "\"" + FLAG + "\"", "actor", "\"" + legitimate.actorId + "\"",
                        "correlationId", "\"" + legitimate.correlationId + "\"", "from", "\"2020-01-01T00:00:00Z\"",
                        "reason", "\"audit\"", "ticket", "\"T-1\""), true);
        hostileBodies(tally, "audit-service", "POST", "/api/v1/audit/exports", auditor, "reason", "{\"fromSeq\":@n@,\"reason\":\"r\"}");
        jsonFields(tally, controls, "audit-service", "POST", "/api/v1/audit/legal-holds", () -> admin,
                "{\"reason\":@reason@,\"project\":@project@,\"flag\":@flag@,\"actor\":@actor@,\"correlationId\":@correlationId@}",
                linked("reason", "\"litigation\"", "project", "\"shop\"", "flag", "\"" + FLAG + "\"", "actor", "\"someone\"", "correlationId", "\"c\""), true);
        hostileBodies(tally, "audit-service", "POST", "/api/v1/audit/legal-holds", admin, "reason", "{\"reason\":\"r\",\"from\":@n@}");
        hostilePaths(tally, "audit-service", "GET", "/api/v1/audit/legal-holds?active={}", admin);
        hostilePaths(tally, "audit-service", "DELETE", "/api/v1/audit/legal-holds/{}?reason=r", admin);
        hostilePaths(tally, "audit-service", "DELETE", "/api/v1/audit/legal-holds/" + UUID.randomUUID() + "?reason={}", admin);
        hostileHeaders(tally, "audit-service", "GET", events, auditor, null, false); // a search records its filters, not these headers
        hostileHeaders(tally, "audit-service", "POST", "/api/v1/audit/legal-holds", admin, "{\"reason\":\"r\"}");
        callers(tally, "audit-service", "GET", events, null, linked("requester (wrong role)", editor, "an expired token", stack.expiredToken("auditor")));
        callers(tally, "audit-service", "POST", "/api/v1/audit/legal-holds", "{\"reason\":\"r\"}", linked("auditor (wrong role)", auditor, "an expired token", expiredAdmin));
        callers(tally, "audit-service", "POST", "/api/v1/audit/exports", "{\"reason\":\"r\"}", linked("admin (wrong role)", admin));
        callers(tally, "audit-service", "POST", "/api/v1/audit/selfcheck", null, linked("auditor (wrong role)", auditor));

        // ---- monitor-service: its only HTTP surface is /q (health, metrics)
        hostilePaths(tally, "monitor-service", "GET", "/q/health/{}", null);
        hostileHeaders(tally, "monitor-service", "GET", "/q/health/ready", null, null);

        return controls;
    }

    private static void consoleForm(Tally tally, ConsoleSession session, String path, Map<String, String> fields) {
        for (String field : fields.keySet()) {
            for (Map.Entry<String, String> v : HOSTILE_URL_TEXT.entrySet()) {
                StringBuilder form = new StringBuilder(session.csrfField).append('=').append(ConsoleSession.enc(session.csrfToken));
                fields.forEach((k, value) -> form.append('&').append(k).append('=')
                        .append(k.equals(field) ? v.getValue() : ConsoleSession.enc(value)));
                hostile(tally, "approval-service", "POST " + path + " form " + field + "=" + v.getKey(),
                        new RawHttp.Request("POST", path).header("Cookie", session.cookieHeader()).form(form.toString()));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Kafka

    /** One record the test put on a topic, and whether audit-service must quarantine it. */
    record Sent(String topic, int partition, long offset, String what, boolean quarantine, String eventId) {
        @Override
        public String toString() {
            return what + " @ " + topic + "-" + partition + ":" + offset;
        }
    }

    private List<Sent> hostileKafka(List<String> problems) throws Exception {
        Map<String, ConsumerRecord<byte[], byte[]>> genuine = genuineRecords();
        ConsumerRecord<byte[], byte[]> template = genuine.get("flag.changes");
        if (template == null) {
            problems.add("no genuine record on flag.changes to build hostile records from");
            return List.of();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1040000");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(8 * 1024 * 1024));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        List<Sent> sent = new ArrayList<>();
        Random random = new Random(11);
        byte[] garbage = new byte[512];
        random.nextBytes(garbage);
        byte[] truncated = java.util.Arrays.copyOf(template.value(), template.value().length / 2);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : CONSUMED_TOPICS) {
                byte[] key = template.key();
                sent.add(send(producer, problems, topic, key, garbage, "512 garbage bytes", true, null));
                sent.add(send(producer, problems, topic, key, truncated, "truncated JSON", true, null));
                ObjectNode nul = resign(template.value(), n -> n.put("reason", "poison\u0000reason"));
                sent.add(send(producer, problems, topic, key, ascii(EventJson.mapper().writeValueAsString(nul)),
                        "NUL-carrying event (validly signed)", true, nul.get("event_id").asText()));
                ObjectNode big = resign(template.value(), n -> n.putObject("new_state").put("padding", "p".repeat(EventValidator.MAX_EVENT_BYTES + 300_000)));
                sent.add(send(producer, problems, topic, key, EventJson.mapper().writeValueAsBytes(big),
                        "oversized event (~" + (EventValidator.MAX_EVENT_BYTES + 300_000) / 1024 + " KiB, validly signed)", true, big.get("event_id").asText()));
                ConsumerRecord<byte[], byte[]> replay = genuine.get(topic);
                if (replay != null) {
                    sent.add(send(producer, problems, topic, replay.key(), replay.value(), "replay of a genuine record", false,
                            eventId(replay.value())));
                }
            }
        }
        sent.removeIf(java.util.Objects::isNull);
        return sent;
    }

    /** The event id of a genuine record, or null when the topic carries something else (e.g. health samples). */
    private static String eventId(byte[] value) {
        try {
            String id = EventJson.mapper().readTree(value).path("event_id").asText();
            return id.isEmpty() ? null : id;
        } catch (Exception e) {
            return null;
        }
    }

    private static Sent send(KafkaProducer<byte[], byte[]> producer, List<String> problems, String topic, byte[] key, byte[] value,
                             String what, boolean quarantine, String eventId) {
        try {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
            return new Sent(topic, m.partition(), m.offset(), what, quarantine, eventId);
        } catch (Exception e) {
            problems.add("sending " + what + " to " + topic + " failed: " + e);
            return null;
        }
    }

    /** A genuine event re-identified, changed and signed again with its producer's key of this run: a buggy producer. */
    private static ObjectNode resign(byte[] genuine, java.util.function.Consumer<ObjectNode> change) throws Exception {
        ObjectNode node = (ObjectNode) EventJson.mapper().readTree(genuine);
        node.put("event_id", UuidV7.nextString());
        change.accept(node);
        node.remove("signature");
        String service = node.path("source_service").asText();
        try {
            return (ObjectNode) EventJson.mapper().readTree(EventJson.toJson(
                    stack.signer(service).sign(EventJson.parse(EventJson.mapper().writeValueAsBytes(node)))));
        } catch (RuntimeException e) {
            // the contract library refuses to build it at all: send it with the genuine (now wrong) signature instead
            System.out.println("[hostile-input] could not sign the hostile event, sending it unsigned: " + e.getMessage());
            ObjectNode unsigned = (ObjectNode) EventJson.mapper().readTree(genuine);
            unsigned.setAll(node);
            unsigned.set("signature", EventJson.mapper().readTree(genuine).get("signature"));
            return unsigned;
        }
    }

    /** The first record on each consumed topic (a genuine one: nothing hostile has been sent yet). */
    private static Map<String, ConsumerRecord<byte[], byte[]>> genuineRecords() {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafka().bootstrapServers());
        props.put("enable.auto.commit", "false");
        Map<String, ConsumerRecord<byte[], byte[]>> first = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : CONSUMED_TOPICS) {
                consumer.partitionsFor(topic, Duration.ofSeconds(20)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    first.putIfAbsent(r.topic(), r);
                }
            }
        }
        return first;
    }

    private static Map<Sent, String> awaitQuarantined(List<Sent> expected, Duration bound) {
        Map<Sent, String> found = new LinkedHashMap<>();
        long deadline = System.nanoTime() + bound.toNanos();
        do {
            try (Connection c = connect("audit-service");
                 PreparedStatement q = c.prepareStatement(
                         "select reason from quarantined_event where source_topic = ? and source_partition = ? and source_offset = ?")) {
                for (Sent s : expected) {
                    if (found.containsKey(s)) {
                        continue;
                    }
                    q.setString(1, s.topic);
                    q.setInt(2, s.partition);
                    q.setLong(3, s.offset);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            found.put(s, rs.getString(1));
                        }
                    }
                }
            } catch (Exception e) {
                System.out.println("[hostile-input] reading the quarantine failed: " + e);
            }
            if (found.size() == expected.size()) {
                break;
            }
            sleep(500);
        } while (System.nanoTime() < deadline);
        return found;
    }

    /** Ledger entries beyond the first for each replayed genuine event (0 when replays are recognised as duplicates). */
    private static int replayedEventCount(List<Sent> records) {
        int extra = 0;
        for (Sent s : records) {
            if (!s.quarantine && s.eventId != null && !s.eventId.isEmpty()) {
                int n = countRows("audit-service", "select count(*) from ledger_entry where event_id = '" + UUID.fromString(s.eventId) + "'");
                extra += Math.max(0, n - 1);
            }
        }
        return extra;
    }

    private static Map<String, Integer> readiness() {
        Map<String, Integer> codes = new LinkedHashMap<>();
        for (String service : Stack.ALL_SERVICES) {
            codes.put(service, http.send(stack.url(service), new RawHttp.Request("GET", "/q/health/ready"), 30_000).status());
        }
        return codes;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Databases

    private static Connection connect(String service) throws Exception {
        PostgresDatabase db = stack.database(service);
        return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
    }

    /** A single number from the service's database, or -1 if the query fails (e.g. the table does not exist). */
    private static int countRows(String service, String sql) {
        try (Connection c = connect(service); ResultSet rs = c.createStatement().executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The access.denied* entries after {@code afterSeq} and the refused requests they account for (1 per full event, the
     * {@code scope.count} of a summary), polled until they account for {@code refused} or {@link #DENIAL_ACCOUNTING}
     * has passed, then until the number of entries is stable.
     */
    private static long[] awaitDenialsAccounted(long afterSeq, long refused) {
        long deadline = System.nanoTime() + DENIAL_ACCOUNTING.toNanos();
        long[] now = denials(afterSeq);
        while (now[1] < refused && System.nanoTime() < deadline) {
            sleep(1_000);
            now = denials(afterSeq);
        }
        settle("select count(*) from ledger_entry where seq > " + afterSeq + " and action like 'access.denied%'");
        return denials(afterSeq);
    }

    private static long[] denials(long afterSeq) {
        long entries = 0;
        long accounted = 0;
        try (Connection c = connect("audit-service");
             ResultSet rs = c.createStatement().executeQuery("select action, canonical_json from ledger_entry where seq > " + afterSeq
                     + " and action like 'access.denied%'")) {
            while (rs.next()) {
                entries++;
                JsonNode scope = EventJson.mapper().readTree(rs.getString(2)).path("scope");
                accounted += rs.getString(1).equals("access.denied") ? 1 : scope.path("count").asLong(0);
            }
        } catch (Exception e) {
            System.out.println("[hostile-input] reading the denials failed: " + e);
        }
        return new long[] {entries, accounted};
    }

    /** Polls a number from audit-service's database until it is unchanged for 5 s (60 s at most). */
    private static long settle(String sql) {
        long last = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long now = countRows("audit-service", sql);
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > Duration.ofSeconds(5).toNanos()) {
                break;
            }
            sleep(500);
        }
        return last;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Small things

    private static void print(String title, List<String[]> rows) {
        System.out.println("[hostile-input] " + title);
        System.out.println("[hostile-input] | measure | value |");
        System.out.println("[hostile-input] |---|---|");
        rows.forEach(r -> System.out.println("[hostile-input] | " + r[0] + " | " + r[1] + " |"));
    }

    private static String[] row(String measure, String value) {
        return new String[] {measure, value};
    }

    private static String seconds(Duration d) {
        return String.format("%.1f", d.toMillis() / 1000.0);
    }

    private static Map<String, String> linked(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return out.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    private static <T> Supplier<T> uncheck(ThrowingSupplier<T> supplier) {
        return () -> {
            try {
                return supplier.get();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        };
    }
}
