package io.flagledger.flagapi.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Hostile input through every flag-api endpoint: control characters and lone surrogates in every string field, in
 * the path and in headers, huge bodies, deep nesting, huge arrays, non-finite numbers. Each must be a 4xx (never a
 * 5xx), a problem+json naming the field when the request reached flag-api, and nothing may be written to the outbox.
 */
@QuarkusTest
class HostileInputTest {

    /** OFREP refusals are in OFREP's own format: checked against the protocol's schemas. */
    @org.junit.jupiter.api.BeforeEach
    void ofrepAnswersValidated() {
        io.flagledger.flagapi.ofrep.OfrepSchema.install();
    }


    private static final String PROJECT = "hostile";
    private static final String PROBLEM = "application/problem+json";
    private static final String NUL = "\u0000";
    private static final byte[] LONE_SURROGATE_UTF8 = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URL base;

    private final Map<String, Integer> statuses = new LinkedHashMap<>();

    /** One hostile request: refused with a 4xx (problem+json naming {@code field} if given), nothing written. */
    private void refused(String name, String field, Supplier<Response> call) {
        long before = outboxCount();
        Response response = call.get();
        int status = response.statusCode();
        statuses.put(name, status);
        assertThat(status).as(name + ": " + response.asString()).isBetween(400, 499);
        assertThat(response.contentType()).as(name).startsWith(PROBLEM);
        if (field != null) {
            assertThat(response.asString()).as(name + " names the field").contains(field);
        }
        assertThat(outboxCount()).as(name + ": nothing written").isEqualTo(before);
    }

    /**
     * A raw request (bytes as given: no client cleans a header or a path) refused with a 4xx, never a 5xx, nothing
     * written. When it reached flag-api (problem+json) the answer names {@code field}; the HTTP layer refuses some
     * (a CR/LF inside a header, a 10 MB body) before any application code runs, with its own plain answer.
     */
    private void refusedRaw(String name, String field, String head, byte[] body) throws Exception {
        long before = outboxCount();
        RawResponse response = raw(head, body);
        statuses.put(name, response.status());
        assertThat(response.status()).as(name + ": " + response.text()).isBetween(400, 499);
        if (field != null && response.problem()) {
            assertThat(response.text()).as(name + " names the field").contains(field);
        }
        System.out.printf("HostileInputTest raw: %s -> %d %s%n", name, response.status(), response.problem() ? "problem+json" : "(HTTP layer)");
        assertThat(outboxCount()).as(name + ": nothing written").isEqualTo(before);
    }

    @Test
    void everyWriteEndpointRefusesWhatAnEventCannotCarry() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String admin = KeycloakResource.tokenFor("admin");
        String flag = newFlag(editor);
        String flags = "/api/v1/projects/" + PROJECT + "/flags";
        String toggle = flags + "/" + flag + "/environments/staging/toggle";
        String config = flags + "/" + flag + "/environments/staging";
        String segment = "/api/v1/projects/" + PROJECT + "/environments/staging/segments/s1";
        String sdkKeys = "/api/v1/projects/" + PROJECT + "/environments/staging/sdk-keys";

        // Strings: NUL, another C0 control, a lone surrogate (JSON escape), in every string field.
        for (String bad : List.of(NUL, "\u0007", "\ud800")) {
            String tag = bad.equals(NUL) ? "NUL" : bad.equals("\ud800") ? "surrogate" : "BEL";
            Map<String, Object> create = new LinkedHashMap<>(Map.of("key", "h-" + UUID.randomUUID().toString().substring(0, 8), "name", "N"));
            for (String field : List.of("name", "description", "reason", "owner")) {
                Map<String, Object> body = new LinkedHashMap<>(create);
                body.put(field, "x" + bad + "y");
                refused("create " + field + " " + tag, field, () -> json(editor, body).post(flags));
            }
            refused("create tags " + tag, "tags", () -> json(editor, Map.of("key", "h-t", "name", "N", "tags", List.of("a" + bad))).post(flags));
            refused("create variation value " + tag, "variations", () -> json(editor, Map.of("key", "h-v", "name", "N", "type", "string",
                    "variations", List.of(Map.of("name", "a", "value", "v" + bad), Map.of("name", "b", "value", "w")))).post(flags));
            for (String field : List.of("name", "description", "owner", "reason")) {
                refused("patch " + field + " " + tag, field, () -> json(editor, Map.of(field, "x" + bad)).patch(flags + "/" + flag));
            }
            refused("archive reason " + tag, "reason", () -> json(editor, Map.of("reason", "x" + bad)).post(flags + "/" + flag + "/archive"));
            refused("restore reason " + tag, "reason", () -> json(editor, Map.of("reason", "x" + bad)).post(flags + "/" + flag + "/restore"));
            refused("toggle reason " + tag, "reason", () -> json(editor, Map.of("enabled", true, "reason", "x" + bad)).post(toggle));
            refused("toggle correlationId " + tag, "correlationId",
                    () -> json(editor, Map.of("enabled", true, "correlationId", "x" + bad)).post(toggle));
            refused("config clause value " + tag, "config", () -> json(editor, Map.of("config", configWith(List.of("NL" + bad)))).put(config));
            refused("config target " + tag, "config", () -> json(editor, Map.of("config", Map.of("enabled", true, "offVariation", "off",
                    "fallthrough", Map.of("variation", "on"), "targets", List.of(Map.of("variation", "on", "values", List.of("u" + bad))))))
                    .put(config));
            // Jackson refuses a lone surrogate in a member name while parsing ("Malformed JSON"); other names reach the check.
            refused("config member name " + tag, bad.equals("\ud800") ? "JSON" : "config", () -> json(editor, Map.of("config", Map.of("enabled", true, "offVariation", "off",
                    "fallthrough", Map.of("variation", "on"), "x" + bad, 1))).put(config));
            refused("config reason " + tag, "reason", () -> json(editor, Map.of("config", configWith(List.of("NL")), "reason", "x" + bad)).put(config));
            refused("segment included " + tag, "definition",
                    () -> json(editor, Map.of("definition", Map.of("included", List.of("u" + bad)))).put(segment));
            refused("segment reason " + tag, "reason",
                    () -> json(editor, Map.of("definition", Map.of("included", List.of("u")), "reason", "x" + bad)).put(segment));
            refused("segment correlationId " + tag, "correlationId",
                    () -> json(editor, Map.of("definition", Map.of("included", List.of("u")), "correlationId", "x" + bad)).put(segment));
            refused("sdk key kind " + tag, "kind", () -> json(admin, Map.of("kind", "server" + bad)).post(sdkKeys));
        }

        // Path parameters that are not keys: 400 naming the parameter, before any database access.
        String nul = "%00";
        refused("path project NUL (list)", "project", () -> given().auth().oauth2(editor).urlEncodingEnabled(false)
                .get("/api/v1/projects/" + nul + "/flags"));
        refused("path project NUL (create)", "project", () -> json(editor, Map.of("key", "k", "name", "n")).urlEncodingEnabled(false)
                .post("/api/v1/projects/" + nul + "/flags"));
        refused("path key NUL (toggle)", "key", () -> json(editor, Map.of("enabled", true)).urlEncodingEnabled(false)
                .post(flags + "/a" + nul + "/environments/staging/toggle"));
        refused("path environment NUL (toggle)", "environment", () -> json(editor, Map.of("enabled", true)).urlEncodingEnabled(false)
                .post(flags + "/" + flag + "/environments/" + nul + "/toggle"));
        refused("path key surrogate (patch)", "key", () -> json(editor, Map.of("name", "n")).urlEncodingEnabled(false)
                .patch(flags + "/%ED%A0%80"));
        refused("path segment key NUL", "key", () -> json(editor, Map.of("definition", Map.of("included", List.of("u")))).urlEncodingEnabled(false)
                .put("/api/v1/projects/" + PROJECT + "/environments/staging/segments/" + nul));
        refused("path environment NUL (sdk keys)", "environment", () -> json(admin, Map.of("kind", "server")).urlEncodingEnabled(false)
                .post("/api/v1/projects/" + PROJECT + "/environments/" + nul + "/sdk-keys"));
        refused("path sdk key id NUL (revoke)", null, () -> given().auth().oauth2(admin).urlEncodingEnabled(false)
                .delete(sdkKeys + "/" + nul));
        refused("path over-long key", "key", () -> json(editor, Map.of("enabled", true)).post(flags + "/" + "k".repeat(300) + "/environments/staging/toggle"));

        // Headers: a control character or an over-long correlation id.
        String auth = "Authorization: Bearer " + editor + "\r\n";
        byte[] enable = "{\"enabled\":true}".getBytes(StandardCharsets.UTF_8);
        for (String control : List.of("\u0001", "\u0000", "\u001b", "\u007f")) {
            refusedRaw("correlation header U+" + (int) control.charAt(0), "correlationHeader", "POST " + toggle + " HTTP/1.1\r\n" + auth
                    + "Content-Type: application/json\r\nX-Correlation-Id: a" + control + "b\r\n", enable);
        }
        refused("correlation header 300 chars", "correlationHeader", () -> json(editor, Map.of("enabled", true))
                .header("X-Correlation-Id", "c".repeat(300)).post(toggle));
        refused("unknown channel on a write", "X-Flagledger-Channel", () -> json(editor, Map.of("enabled", true))
                .header("X-Flagledger-Channel", "x").post(toggle));

        // Sizes: over-long reason (the contract's 2,000), too many values, non-finite numbers, deep nesting, duplicates.
        String reason2001 = "r".repeat(EventValidator.MAX_REASON_LENGTH + 1);
        refused("archive reason 2001", "reason", () -> json(editor, Map.of("reason", reason2001)).post(flags + "/" + flag + "/archive"));
        refused("segment reason 2001", "reason", () -> json(editor, Map.of("definition", Map.of("included", List.of("u")), "reason", reason2001))
                .put(segment));
        refused("toggle reason 2001", "reason", () -> json(editor, Map.of("enabled", true, "reason", reason2001)).post(toggle));
        String bigArray = "[" + "0,".repeat(99_999) + "0]";
        // 100,000 equal elements would collapse into one in a set: the array is refused as sent.
        refused("segment 100k included", "definition.included", () -> jsonRaw(editor, "{\"definition\":{\"included\":" + bigArray + "}}").put(segment));
        refused("config 100k clause values", "config.rules[0].clauses[0].values", () -> jsonRaw(editor, "{\"config\":{\"enabled\":true,\"offVariation\":\"off\","
                + "\"fallthrough\":{\"variation\":\"on\"},\"rules\":[{\"id\":\"r\",\"clauses\":[{\"attribute\":\"n\",\"operator\":\"lessThan\","
                + "\"values\":" + bigArray + "}],\"serve\":{\"variation\":\"on\"}}]}}").put(config));
        refused("config 1e400", "config", () -> jsonRaw(editor, "{\"config\":{\"enabled\":true,\"offVariation\":\"off\","
                + "\"fallthrough\":{\"variation\":\"on\"},\"rules\":[{\"id\":\"r\",\"clauses\":[{\"attribute\":\"n\",\"operator\":\"lessThan\","
                + "\"values\":[1e400]}],\"serve\":{\"variation\":\"on\"}}]}}").put(config));
        refused("number variation 1e400", "variations", () -> jsonRaw(editor, "{\"key\":\"h-n\",\"name\":\"N\",\"type\":\"number\","
                + "\"variations\":[{\"name\":\"a\",\"value\":1e400},{\"name\":\"b\",\"value\":1}]}").post(flags));
        refused("config 10,000-deep nesting", "JSON", () -> jsonRaw(editor, "{\"config\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}")
                .put(config));
        refused("object variation 40-deep", "variations", () -> jsonRaw(editor, "{\"key\":\"h-d\",\"name\":\"N\",\"type\":\"object\","
                + "\"variations\":[{\"name\":\"a\",\"value\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "},{\"name\":\"b\",\"value\":{}}]}")
                .post(flags));
        refused("duplicate member", "JSON", () -> jsonRaw(editor, "{\"enabled\":true,\"enabled\":false}").post(toggle));
        // 3 rules x 1,000 values of 1e20: a 15 KB body, 66 KB as canonical JSON (each value is 21 digits there).
        String expanding = "[" + "1e20,".repeat(999) + "1e20]";
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            rules.append(i == 0 ? "" : ",").append("{\"id\":\"r").append(i).append("\",\"clauses\":[{\"attribute\":\"n\",\"operator\":\"lessThan\",")
                    .append("\"values\":").append(expanding).append("}],\"serve\":{\"variation\":\"on\"}}");
        }
        refused("config over the event budget (1e20 expands)", "config", () -> jsonRaw(editor, "{\"config\":{\"enabled\":true,"
                + "\"offVariation\":\"off\",\"fallthrough\":{\"variation\":\"on\"},\"rules\":[" + rules + "]}}").put(config));

        // Raw bytes: a lone surrogate encoded in UTF-8 (ED A0 80), a 10 MB body, CR/LF inside a header, NUL in the path.
        byte[] surrogateBody = concat("{\"enabled\":true,\"reason\":\"a".getBytes(StandardCharsets.UTF_8), LONE_SURROGATE_UTF8,
                "\"}".getBytes(StandardCharsets.UTF_8));
        refusedRaw("raw lone surrogate bytes in reason", "Malformed JSON", "POST " + toggle + " HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\n", surrogateBody);
        byte[] tenMegabytes = ("{\"enabled\":true,\"reason\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        refusedRaw("10 MB body", null, "POST " + toggle + " HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\n", tenMegabytes);
        assertThat(statuses.get("10 MB body")).as("a body over quarkus.http.limits.max-body-size").isEqualTo(413);
        refusedRaw("CR/LF in X-Correlation-Id", null, "POST " + toggle + " HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\n"
                + "X-Correlation-Id: a\r\nb\r\n", "{\"enabled\":true}".getBytes(StandardCharsets.UTF_8));
        refusedRaw("bare CR in X-Correlation-Id", "correlationHeader", "POST " + toggle + " HTTP/1.1\r\n" + auth + "Content-Type: application/json\r\n"
                + "X-Correlation-Id: a\rb\r\n", "{\"enabled\":true}".getBytes(StandardCharsets.UTF_8));
        refusedRaw("raw NUL byte in the path", "project", "GET /api/v1/projects/a\u0000b/flags HTTP/1.1\r\n" + auth, new byte[0]);

        // Evaluation endpoints: never a 5xx, never a write.
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        long before = outboxCount();
        List<Response> evaluation = List.of(
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags/%00", "{\"context\":{\"targetingKey\":\"a\\u0000\"}}"),
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags/" + flag, "{\"context\":{\"targetingKey\":\"\\ud800\"}}"),
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags/" + flag, "{\"context\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"),
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags/" + flag, "{\"context\":{\"n\":1e400,\"targetingKey\":\"a\"}}"),
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags/" + flag, "{\"context\":{\"list\":" + bigArray + ",\"targetingKey\":\"a\"}}"),
                ofrep(sdkKey, "/ofrep/v1/evaluate/flags", "{\"context\":{\"targetingKey\":\"a\\u0000\"}}"),
                ofrep("fl-\u0001", "/ofrep/v1/evaluate/flags", "{}"),
                given().header("X-API-Key", "k\u0001").get("/sdk/v1/stream"),
                given().header("Authorization", "Bearer " + "\u0007".repeat(300)).get("/sdk/v1/stream"));
        for (int i = 0; i < evaluation.size(); i++) {
            statuses.put("evaluation #" + i, evaluation.get(i).statusCode());
            assertThat(evaluation.get(i).statusCode()).as("evaluation #" + i + " " + evaluation.get(i).asString()).isLessThan(500);
        }
        refusedRaw("OFREP 10 MB body", null, "POST /ofrep/v1/evaluate/flags HTTP/1.1\r\nX-API-Key: " + sdkKey + "\r\nContent-Type: application/json\r\n",
                tenMegabytes);
        assertThat(outboxCount()).as("evaluation writes nothing").isEqualTo(before);

        long fourXx = statuses.values().stream().filter(s -> s >= 400 && s < 500).count();
        long fiveXx = statuses.values().stream().filter(s -> s >= 500).count();
        System.out.printf("HostileInputTest: %d hostile requests, %d 4xx, %d 5xx, 0 outbox rows added%n", statuses.size(), fourXx, fiveXx);
        assertThat(fiveXx).isZero();
    }

    @Test
    void aCorrelationHeaderObeysTheBodyFieldsPattern() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String admin = KeycloakResource.tokenFor("admin");
        String flag = newFlag(editor);
        String flags = "/api/v1/projects/" + PROJECT + "/flags";
        String toggle = flags + "/" + flag + "/environments/staging/toggle";
        String segment = "/api/v1/projects/" + PROJECT + "/environments/staging/segments/s-corr";
        String sdkKeys = "/api/v1/projects/" + PROJECT + "/environments/staging/sdk-keys";
        String auth = "Authorization: Bearer " + editor + "\r\n";
        byte[] enable = "{\"enabled\":true}".getBytes(StandardCharsets.UTF_8);

        // HTTP allows these in a header; the body's correlationId pattern (printable ASCII, no space) does not.
        refusedRaw("obs-folded X-Correlation-Id", "X-Correlation-Id", "POST " + toggle + " HTTP/1.1\r\n" + auth
                + "Content-Type: application/json\r\nX-Correlation-Id: a\r\n b\r\n", enable);
        refusedRaw("Latin-1 byte in X-Correlation-Id", "X-Correlation-Id", "POST " + toggle + " HTTP/1.1\r\n" + auth
                + "Content-Type: application/json\r\nX-Correlation-Id: caf\u00e9\r\n", enable);
        refused("space in X-Correlation-Id (toggle)", "X-Correlation-Id",
                () -> json(editor, Map.of("enabled", true)).header("X-Correlation-Id", "a b").post(toggle));
        refused("space in X-Correlation-Id (config)", "X-Correlation-Id",
                () -> json(editor, Map.of("config", configWith(List.of("NL")))).header("X-Correlation-Id", "a b")
                        .put(flags + "/" + flag + "/environments/staging"));
        refused("space in X-Correlation-Id (create)", "X-Correlation-Id", () -> json(editor, Map.of("key", "h-c", "name", "N"))
                .header("X-Correlation-Id", "a b").post(flags));
        refused("space in X-Correlation-Id (patch)", "X-Correlation-Id", () -> json(editor, Map.of("name", "n"))
                .header("X-Correlation-Id", "a b").patch(flags + "/" + flag));
        refused("space in X-Correlation-Id (archive)", "X-Correlation-Id", () -> json(editor, Map.of())
                .header("X-Correlation-Id", "a b").post(flags + "/" + flag + "/archive"));
        refused("space in X-Correlation-Id (restore)", "X-Correlation-Id", () -> json(editor, Map.of())
                .header("X-Correlation-Id", "a b").post(flags + "/" + flag + "/restore"));
        refused("space in X-Correlation-Id (segment)", "X-Correlation-Id", () -> json(editor, Map.of("definition", Map.of("included", List.of("u"))))
                .header("X-Correlation-Id", "a b").put(segment));
        refused("space in correlationId (segment body)", "correlationId", () -> json(editor, Map.of("definition", Map.of("included", List.of("u")),
                "correlationId", "a b")).put(segment));
        refused("space in X-Correlation-Id (sdk key)", "X-Correlation-Id", () -> json(admin, Map.of("kind", "server"))
                .header("X-Correlation-Id", "a b").post(sdkKeys));
        refused("space in X-Correlation-Id (revoke)", "X-Correlation-Id", () -> given().auth().oauth2(admin)
                .header("X-Correlation-Id", "a b").delete(sdkKeys + "/no-such-key"));

        // A correlation id the pattern allows still goes through, header and body alike.
        json(editor, Map.of("enabled", true)).header("X-Correlation-Id", "CHG-42/run#7").post(toggle)
                .then().statusCode(200).header("X-Correlation-Id", "CHG-42/run#7");
        json(editor, Map.of("definition", Map.of("included", List.of("u")), "correlationId", "CHG-43")).header("If-Match", "\"0\"").put(segment)
                .then().statusCode(org.hamcrest.Matchers.lessThan(300));
    }

    @Test
    void ofrepRefusesAContextAnEventCouldNotCarryInOfrepsOwnFormat() {
        String flag = OfrepFixtures.flagWithCountryRule("staging");
        String sdkKey = OfrepFixtures.issueKey("staging", "server");
        String single = "/ofrep/v1/evaluate/flags/" + flag;
        String bulk = "/ofrep/v1/evaluate/flags";
        String ok = "{\"context\":{\"targetingKey\":\"ü-\\ud83d\\ude00\",\"note\":\"a\\tb\",\"n\":1e300,\"m\":-12.5}}";
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(ofrep(sdkKey, single, ok).statusCode()).isEqualTo(200));
        long before = outboxCount();
        Map<String, String> contexts = new LinkedHashMap<>();
        contexts.put("1e400", "{\"targetingKey\":\"a\",\"n\":1e400}");
        contexts.put("-1e400", "{\"targetingKey\":\"a\",\"n\":-1e400}");
        contexts.put("401-digit integer", "{\"targetingKey\":\"a\",\"n\":1" + "0".repeat(400) + "}");
        contexts.put("NUL in targetingKey", "{\"targetingKey\":\"a\\u0000\"}");
        contexts.put("TAB in targetingKey", "{\"targetingKey\":\"a\\tb\"}");
        contexts.put("BEL in attribute", "{\"targetingKey\":\"a\",\"country\":\"N\\u0007L\"}");
        contexts.put("ESC in nested attribute", "{\"targetingKey\":\"a\",\"org\":{\"tags\":[\"x\",\"\\u001b[31m\"]}}");
        contexts.put("lone surrogate in attribute", "{\"targetingKey\":\"a\",\"name\":\"\\ud800\"}");
        contexts.put("lone surrogate in targetingKey", "{\"targetingKey\":\"\\udc00x\"}");
        contexts.put("NUL in attribute name", "{\"targetingKey\":\"a\",\"c\\u0000\":1}");
        contexts.put("40-deep attribute", "{\"targetingKey\":\"a\",\"d\":" + "[".repeat(40) + "]".repeat(40) + "}");
        for (Map.Entry<String, String> c : contexts.entrySet()) {
            String body = "{\"context\":" + c.getValue() + "}";
            for (String path : List.of(single, bulk)) {
                String name = "OFREP " + (path.equals(bulk) ? "bulk" : "single") + " " + c.getKey();
                Response response = ofrep(sdkKey, path, body);
                statuses.put(name, response.statusCode());
                assertThat(response.statusCode()).as(name + ": " + response.asString()).isEqualTo(400);
                assertThat(response.contentType()).as(name).startsWith("application/json");
                assertThat(response.jsonPath().getString("errorCode")).as(name).isEqualTo("INVALID_CONTEXT");
                assertThat(response.jsonPath().getString("errorDetails")).as(name + " names the attribute").startsWith("context");
                if (path.equals(single)) {
                    assertThat(response.jsonPath().getString("key")).as(name).isEqualTo(flag);
                }
            }
        }
        assertThat(ofrep(sdkKey, single, "{\"context\":{\"targetingKey\":\"a\\u0000\"}}").jsonPath().getString("errorDetails"))
                .contains("targetingKey").contains("U+0000");
        assertThat(ofrep(sdkKey, bulk, "{\"context\":{\"targetingKey\":\"a\",\"n\":1e400}}").jsonPath().getString("errorDetails"))
                .contains("context.n").contains("finite");
        // Ordinary contexts are untouched: non-ASCII, a surrogate pair, TAB in free text, big finite numbers.
        assertThat(ofrep(sdkKey, bulk, ok).statusCode()).isEqualTo(200);
        assertThat(outboxCount()).as("evaluation writes nothing").isEqualTo(before);
    }

    @Test
    void theNulDenialAndTheNextToggleAreBothEventsTheContractAccepts() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String flag = newFlag(editor);
        long start = maxOutboxId();
        String correlation = "nul-" + UUID.randomUUID();
        // (A control character in a header never gets this far: the HTTP layer refuses it, see above.)
        assertThat(raw("GET /api/v1/projects/%00/flags HTTP/1.1\r\nX-Correlation-Id: " + correlation + "\r\nUser-Agent: probe%\r\n",
                new byte[0]).status()).isEqualTo(401);
        // A legitimate change right after.
        json(editor, Map.of("enabled", true, "reason", "after the probe")).post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle",
                PROJECT, flag).then().statusCode(200);
        List<AuditEvent> denied = eventsSince(start, e -> correlation.equals(e.correlationId()));
        List<AuditEvent> toggled = eventsSince(start, e -> flag.equals(e.flagId()) && "flag.toggled".equals(e.action()));
        assertThat(denied).hasSize(1);
        assertThat(toggled).hasSize(1);
        assertThat(denied.get(0).scope().get("path").asText()).isEqualTo("/api/v1/projects/%00/flags");
        assertThat(denied.get(0).scope().get("endpoint").asText()).isEqualTo("/api/v1/projects/{project}/flags");
        assertThat(denied.get(0).request().userAgent()).isEqualTo("probe%25");
        for (AuditEvent event : List.of(denied.get(0), toggled.get(0))) {
            assertThat(EventValidator.violations(event, EventJson.canonicalBytes(event).length)).as(event.action()).isEmpty();
        }
    }

    @Test
    void anUnknownChannelOrABadCorrelationIdCannotSkipDenialRecording() throws Exception {
        long start = maxOutboxId();
        // An endpoint no other test calls without a token, so the throttle has no earlier denial of this key.
        String revoke = "/api/v1/projects/" + PROJECT + "/environments/development/sdk-keys/" + UUID.randomUUID();
        assertThat(raw("DELETE " + revoke + " HTTP/1.1\r\nX-Flagledger-Channel: x%\r\nX-Correlation-Id: " + "c".repeat(300) + "\r\n",
                new byte[0]).status()).isEqualTo(401);
        List<AuditEvent> denied = eventsSince(start, e -> "access.denied".equals(e.action()) && revoke.equals(e.scope().path("path").asText()));
        assertThat(denied).hasSize(1);
        assertThat(denied.get(0).scope().get("channel_header").asText()).isEqualTo("x%25");
        assertThat(denied.get(0).scope().get("correlation_header").asText()).isEqualTo("c".repeat(256));
        assertThat(denied.get(0).correlationId()).doesNotContain("ccc");
        assertThat(denied.get(0).request().channel()).isEqualTo(io.flagledger.contract.Channel.API);
        assertThat(EventValidator.violations(denied.get(0))).isEmpty();

        // A header the correlationId pattern refuses (a space) is not used either: kept escaped, fresh correlation id.
        String segment = "/api/v1/projects/" + PROJECT + "/environments/development/segments/s-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(raw("GET " + segment + " HTTP/1.1\r\nX-Correlation-Id: a b\r\n", new byte[0]).status()).isEqualTo(401);
        List<AuditEvent> spaced = eventsSince(start, e -> "access.denied".equals(e.action()) && segment.equals(e.scope().path("path").asText()));
        assertThat(spaced).hasSize(1);
        assertThat(spaced.get(0).scope().get("correlation_header").asText()).isEqualTo("a b");
        assertThat(spaced.get(0).correlationId()).isNotEqualTo("a b");
    }

    @Test
    void aDenialFloodCostsTheLedgerABoundedNumberOfEntries() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String flag = newFlag(editor);
        long start = maxOutboxId();
        long startedAt = System.nanoTime();
        int requests = 20_000;
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger fourXx = new AtomicInteger();
        AtomicInteger fiveXx = new AtomicInteger();
        AtomicInteger denied = new AtomicInteger();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI target = base.toURI().resolve("/api/v1/projects/flood/flags");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            threads.submit(() -> {
                HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).GET().build();
                while (sent.incrementAndGet() <= requests && System.nanoTime() < deadline) {
                    try {
                        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        (status >= 500 ? fiveXx : status >= 400 ? fourXx : new AtomicInteger()).incrementAndGet();
                        if (status == 401) {
                            denied.incrementAndGet();
                        }
                    } catch (Exception e) {
                        fiveXx.incrementAndGet();
                    }
                }
                return null;
            });
        }
        // A legitimate change during the flood is written.
        Thread.sleep(2000);
        json(editor, Map.of("enabled", true, "reason", "during the flood")).post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle",
                PROJECT, flag).then().statusCode(200);
        threads.shutdown();
        assertThat(threads.awaitTermination(150, TimeUnit.SECONDS)).isTrue();
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        assertThat(eventsSince(start, e -> flag.equals(e.flagId()) && "flag.toggled".equals(e.action()))).hasSize(1);

        // Wait for the last window's summary (window 2 s and flush 0.5 s in tests), then count what the flood cost.
        Thread.sleep(3500);
        List<AuditEvent> floodRows = eventsSince(start, e -> e.action().startsWith("access.denied")
                && "/api/v1/projects/{project}/flags".equals(e.scope().path("endpoint").asText())
                && "GET".equals(e.scope().path("method").asText()) && "anonymous".equals(e.actorId()));
        long full = floodRows.stream().filter(e -> e.action().equals("access.denied")).count();
        long summarized = floodRows.stream().filter(e -> e.action().equals("access.denied.summary"))
                .mapToLong(e -> e.scope().get("count").asLong()).sum();
        long windows = (long) Math.ceil(seconds / 2.0) + 2;
        System.out.printf("Denial flood: %d requests in %.1f s, %d 4xx, %d 5xx; %d outbox rows added (%d access.denied, %d summaries"
                        + " counting %d), bound 1 + windows = %d%n", fourXx.get() + fiveXx.get(), seconds, fourXx.get(), fiveXx.get(),
                floodRows.size(), full, floodRows.size() - full, summarized, windows + 1);
        assertThat(fiveXx.get()).isZero();
        assertThat(denied.get()).isGreaterThan(1000);
        assertThat(full).isLessThanOrEqualTo(1);
        // One full record plus at most one summary per window: independent of the request rate.
        assertThat((long) floodRows.size()).isLessThanOrEqualTo(windows + 1);
        // Every denial is accounted for: recorded in full or counted in a summary.
        assertThat(full + summarized).isGreaterThanOrEqualTo(denied.get()).isLessThanOrEqualTo(denied.get() + 50L);
    }

    // --- helpers ---

    /** Every non-ASCII character as a JSON escape, so a lone surrogate is sent as the text \\ud800. */
    private static final JsonMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private static io.restassured.specification.RequestSpecification json(String token, Object body) {
        try {
            return jsonRaw(token, ESCAPING.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static io.restassured.specification.RequestSpecification jsonRaw(String token, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Response ofrep(String sdkKey, String path, String body) {
        return given().urlEncodingEnabled(false).header("X-API-Key", sdkKey).contentType(ContentType.JSON)
                .body(body.getBytes(StandardCharsets.UTF_8)).post(path);
    }

    private static Map<String, Object> configWith(List<Object> values) {
        return Map.of("enabled", true, "offVariation", "off", "fallthrough", Map.of("variation", "on"),
                "rules", List.of(Map.of("id", "r", "clauses", List.of(Map.of("attribute", "country", "operator", "in", "values", values)),
                        "serve", Map.of("variation", "on"))));
    }

    private static String newFlag(String editor) {
        String key = "h-" + UUID.randomUUID().toString().substring(0, 8);
        json(editor, Map.of("key", key, "name", "Hostile")).post("/api/v1/projects/{p}/flags", PROJECT).then().statusCode(201);
        return key;
    }

    /**
     * Rows in the outbox, but for the denial summaries the throttle writes on its own schedule (other tests' denials
     * may be summarized while this one runs).
     */
    private long outboxCount() {
        return pool.query("select count(*) from outbox_event where payload not like '%\"action\":\"access.denied.summary\"%'").execute().await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }

    private long maxOutboxId() {
        return pool.query("select coalesce(max(id), 0) from outbox_event").execute().await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }

    /** Outbox events written after row {@code id}, as signed, that match. */
    private List<AuditEvent> eventsSince(long id, java.util.function.Predicate<AuditEvent> matching) {
        List<AuditEvent> out = new ArrayList<>();
        for (Row row : pool.preparedQuery("select payload from outbox_event where id > $1 order by id").execute(Tuple.of(id))
                .await().atMost(Duration.ofSeconds(10))) {
            AuditEvent event = EventJson.parse(row.getString(0));
            if (matching.test(event)) {
                out.add(event);
            }
        }
        return out;
    }

    private record RawResponse(int status, String text) {
        boolean problem() {
            return text.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/problem+json");
        }
    }

    /** Sends bytes as they are (no client-side validation of the path or headers), HTTP/1.1 with Connection: close. */
    private RawResponse raw(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String headers = head + "Host: " + base.getHost() + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            try {
                // In chunks, stopping once the server answers: it may refuse (413) and close before the whole body is sent.
                for (int offset = 0; offset < body.length && in.available() == 0; offset += 64 * 1024) {
                    out.write(body, offset, Math.min(64 * 1024, body.length - offset));
                    out.flush();
                }
            } catch (java.io.IOException e) {
                // Closed by the server after answering; the answer is still readable.
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try {
                in.transferTo(response);
            } catch (java.io.IOException e) {
                // Connection reset after the answer.
            }
            String text = response.toString(StandardCharsets.ISO_8859_1);
            assertThat(text).as("an HTTP answer").startsWith("HTTP/1.1 ");
            return new RawResponse(Integer.parseInt(text.substring(9, 12)), text);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
