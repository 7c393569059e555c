package io.flagledger.flagapi.ofrep;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The case table ({@code src/test/resources/ofrep/cases.json}) evaluated by the official OpenFeature Java OFREP
 * provider and by the JavaScript server SDK with {@code @openfeature/ofrep-provider}, both unchanged, against this
 * flag-api; one check for both. Every raw answer along the way is validated against the OFREP schemas.
 */
@QuarkusTest
class OfrepConformanceTest {

    static final String PROJECT = "conformance";
    static final String ENVIRONMENT = "staging";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode TABLE = readTable();
    private static String serverKey;

    /** What a provider answered for one case. */
    record Result(String name, JsonNode value, String variant, String reason, String errorCode) {
    }

    @BeforeEach
    void flagsOfTheTable() {
        OfrepSchema.install();
        synchronized (OfrepConformanceTest.class) {
            if (serverKey != null) {
                return;
            }
            String editor = KeycloakResource.tokenFor("requester");
            for (JsonNode flag : TABLE.get("flags")) {
                Map<String, Object> create = new HashMap<>();
                create.put("key", flag.get("key").asText());
                create.put("name", flag.get("key").asText());
                create.put("type", flag.get("type").asText());
                create.put("variations", flag.get("variations"));
                given().auth().oauth2(editor).contentType(ContentType.JSON).body(create)
                        .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
                given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("config", flag.get("config")))
                        .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, flag.get("key").asText(), ENVIRONMENT)
                        .then().statusCode(200);
            }
            serverKey = OfrepFixtures.issueKey(PROJECT, ENVIRONMENT, "server");
            // Every flag evaluable (the snapshot follows commits within its refresh interval).
            await().atMost(Duration.ofSeconds(20)).until(() -> given().auth().oauth2(serverKey).contentType(ContentType.JSON)
                    .body("{\"context\":{\"targetingKey\":\"u\"}}").post("/ofrep/v1/evaluate/flags")
                    .jsonPath().getList("flags").size() == TABLE.get("flags").size());
        }
    }

    @Test
    void theJavaProviderPassesTheTable() {
        OpenFeatureAPI api = OpenFeatureAPI.getInstance();
        api.setProviderAndWait("conformance-java", OfrepProvider.constructProvider(OfrepProviderOptions.builder()
                .baseUrl("http://localhost:" + RestAssured.port)
                .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + serverKey)))
                .build()));
        Client client = api.getClient("conformance-java");
        List<Result> results = new ArrayList<>();
        for (JsonNode c : TABLE.get("cases")) {
            results.add(evaluate(client, c));
        }
        api.shutdown();
        check("Java", results);
    }

    @Test
    void theJavaScriptProviderPassesTheTable() throws Exception {
        Path casesFile = Path.of("src/test/resources/ofrep/cases.json").toAbsolutePath();
        String output = NodeRunner.run("run-cases.mjs", Duration.ofSeconds(120),
                "http://localhost:" + RestAssured.port, serverKey, casesFile.toString());
        List<Result> results = new ArrayList<>();
        for (JsonNode r : JSON.readTree(output.lines().filter(l -> l.startsWith("[")).findFirst()
                .orElseThrow(() -> new AssertionError("no results from node: " + output)))) {
            results.add(new Result(r.get("name").asText(), r.get("value"), text(r.get("variant")), text(r.get("reason")),
                    text(r.get("errorCode"))));
        }
        check("JavaScript", results);
    }

    /**
     * The browser-style OpenFeature client (web SDK, {@code @openfeature/ofrep-web-provider}, polling off) with a
     * client key: it connects to the advertised event stream and updates when a flag changes through the API.
     */
    @Test
    void theOfrepWebProviderUpdatesLiveThroughTheEventStream() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String key = "ct-live-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "Live", "clientVisible", true))
                .post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        Map<String, Object> on = Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("variation", "on"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("config", on))
                .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, key, ENVIRONMENT).then().statusCode(200);
        String clientKey = OfrepFixtures.issueKey(PROJECT, ENVIRONMENT, "client");
        await().atMost(Duration.ofSeconds(20)).until(() -> given().auth().oauth2(clientKey).contentType(ContentType.JSON)
                .body("{\"context\":{\"targetingKey\":\"live-user\"}}").post("/ofrep/v1/evaluate/flags")
                .jsonPath().getList("flags.key").contains(key));
        Process node = NodeRunner.start("run-live.mjs", "http://localhost:" + RestAssured.port, clientKey, key);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(node.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            java.util.concurrent.BlockingQueue<String> out = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> lines.lines().forEach(out::add));
            reader.setDaemon(true);
            reader.start();
            String ready = until(out, "ready", Duration.ofSeconds(90));
            assertThat(ready).isEqualTo("ready true");
            Map<String, Object> off = Map.of("enabled", false, "offVariation", "off", "fallthrough", Map.of("variation", "on"));
            given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("config", off))
                    .put("/api/v1/projects/{p}/flags/{k}/environments/{e}", PROJECT, key, ENVIRONMENT).then().statusCode(200);
            assertThat(until(out, "changed", Duration.ofSeconds(15))).isEqualTo("changed false");
        } finally {
            node.destroyForcibly();
        }
    }

    /** The first line starting with {@code prefix}; fails with everything printed before when none comes in time. */
    private static String until(java.util.concurrent.BlockingQueue<String> out, String prefix, Duration wait) throws InterruptedException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + wait.toNanos();
        for (String line; (line = out.poll(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("no '" + prefix + "' line from node within " + wait + "; it printed:\n" + seen);
    }

    @Test
    void everyCaseAnswersWithinTheSchemas() {
        // Raw answers of the same cases, single and bulk: the schema filter validates each.
        for (JsonNode c : TABLE.get("cases")) {
            given().auth().oauth2(serverKey).contentType(ContentType.JSON).body(Map.of("context", c.get("context")))
                    .post("/ofrep/v1/evaluate/flags/{k}", c.get("flag").asText())
                    .then().statusCode(c.path("expect").has("errorCode")
                            && "FLAG_NOT_FOUND".equals(c.path("expect").path("errorCode").asText()) ? 404 : 200);
            given().auth().oauth2(serverKey).contentType(ContentType.JSON).body(Map.of("context", c.get("context")))
                    .post("/ofrep/v1/evaluate/flags").then().statusCode(200);
        }
        // A float flag's whole value travels as 1.0, an integer flag's as 1: what makes each typed getter work.
        String single = given().auth().oauth2(serverKey).contentType(ContentType.JSON).body("{\"context\":{\"targetingKey\":\"u\"}}")
                .post("/ofrep/v1/evaluate/flags/ct-number").then().statusCode(200).extract().asString();
        assertThat(single).contains("\"value\":1.0").contains("\"type\":\"float\"");
        assertThat(given().auth().oauth2(serverKey).contentType(ContentType.JSON).body("{\"context\":{\"targetingKey\":\"u\"}}")
                .post("/ofrep/v1/evaluate/flags/ct-integer").then().statusCode(200).extract().asString())
                .contains("\"value\":1,").contains("\"type\":\"integer\"");
    }

    private static Result evaluate(Client client, JsonNode c) {
        String key = c.get("flag").asText();
        JsonNode fallback = c.get("default");
        ImmutableContext context = context(c.get("context"));
        FlagEvaluationDetails<?> d = switch (c.get("getter").asText()) {
            case "boolean" -> client.getBooleanDetails(key, fallback.asBoolean(), context);
            case "string" -> client.getStringDetails(key, fallback.asText(), context);
            case "integer" -> client.getIntegerDetails(key, fallback.asInt(), context);
            case "float" -> client.getDoubleDetails(key, fallback.asDouble(), context);
            case "object" -> client.getObjectDetails(key, value(fallback), context);
            default -> throw new IllegalArgumentException(c.get("getter").asText());
        };
        Object value = d.getValue() instanceof Value v ? v.asStructure().asObjectMap() : d.getValue();
        return new Result(c.get("name").asText(), JSON.valueToTree(value), d.getVariant(), d.getReason(),
                d.getErrorCode() == null ? null : d.getErrorCode().name());
    }

    /** The one check of both providers' results against the table. */
    static void check(String provider, List<Result> results) {
        List<String> failures = new ArrayList<>();
        Iterator<Result> it = results.iterator();
        for (JsonNode c : TABLE.get("cases")) {
            Result r = it.hasNext() ? it.next() : null;
            JsonNode expect = c.get("expect");
            String name = c.get("name").asText();
            if (r == null || !name.equals(r.name())) {
                failures.add(name + ": no result");
                continue;
            }
            if (!sameJson(expect.get("value"), r.value())) {
                failures.add(name + ": value " + r.value() + ", expected " + expect.get("value"));
            }
            String errorCode = text(expect.get("errorCode"));
            if (!java.util.Objects.equals(errorCode, r.errorCode())) {
                failures.add(name + ": errorCode " + r.errorCode() + ", expected " + errorCode);
            }
            if (errorCode == null) {
                if (!expect.get("variant").asText().equals(r.variant())) {
                    failures.add(name + ": variant " + r.variant() + ", expected " + expect.get("variant").asText());
                }
                if (!expect.get("reason").asText().equals(r.reason())) {
                    failures.add(name + ": reason " + r.reason() + ", expected " + expect.get("reason").asText());
                }
            }
        }
        System.out.printf("OfrepConformanceTest: %s provider, %d cases, %d failures%n", provider, results.size(), failures.size());
        assertThat(failures).as(provider + " provider against the case table").isEmpty();
    }

    /** Numbers compare by value: JavaScript has one number type, so its 1.0 arrives as 1. */
    static boolean sameJson(JsonNode expected, JsonNode actual) {
        if (expected == null || actual == null) {
            return expected == actual;
        }
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        if (expected.isObject() && actual.isObject()) {
            if (expected.size() != actual.size()) {
                return false;
            }
            for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!sameJson(expected.get(name), actual.get(name))) {
                    return false;
                }
            }
            return true;
        }
        return expected.equals(actual);
    }

    private static ImmutableContext context(JsonNode context) {
        Map<String, Value> attributes = new HashMap<>();
        context.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("targetingKey")) {
                attributes.put(e.getKey(), value(e.getValue()));
            }
        });
        return new ImmutableContext(context.path("targetingKey").asText(null), attributes);
    }

    private static Value value(JsonNode node) {
        if (node.isBoolean()) {
            return new Value(node.asBoolean());
        }
        if (node.isIntegralNumber()) {
            return new Value(node.asInt());
        }
        if (node.isNumber()) {
            return new Value(node.asDouble());
        }
        if (node.isObject()) {
            Map<String, Value> members = new HashMap<>();
            node.fields().forEachRemaining(e -> members.put(e.getKey(), value(e.getValue())));
            return new Value(new MutableStructure(members));
        }
        return new Value(node.asText());
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static JsonNode readTable() {
        try (var in = OfrepConformanceTest.class.getResourceAsStream("/ofrep/cases.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
