package io.flagledger.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;

import io.flagledger.audit.query.ReadAudit;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 for audit-service's HTTP API (the e2e {@code HostileInputIT} found these): NUL, other C0 controls and lone
 * surrogates in search filters, the timeline path, export and legal-hold bodies, and numbers where a time is expected,
 * are each a 400 problem+json naming the field, never a 5xx or a 2xx, and nothing is written for a refused request
 * (no {@code audit.read} event carrying the filters, no {@code audit.exported} event, no legal hold).
 */
@QuarkusTest
class HostileQueryInputTest {

    private static final String EVENTS = "/api/v1/audit/events";
    private static final String EXPORTS = "/api/v1/audit/exports";
    private static final String HOLDS = "/api/v1/audit/legal-holds";

    /** Percent-encoded URL text no event may carry. */
    private static final List<String> HOSTILE_URL = List.of("%00", "%01%1B", "%7F");

    /** JSON string contents (escaped) no event may carry: NUL, C0 controls, lone surrogates. */
    private static final Map<String, String> HOSTILE_JSON = new LinkedHashMap<>();

    static {
        HOSTILE_JSON.put("NUL", "\\u0000");
        HOSTILE_JSON.put("C0 controls", "\\u0001\\u001b");
        HOSTILE_JSON.put("lone high surrogate", "\\ud800");
        HOSTILE_JSON.put("lone low surrogate", "\\udfff");
    }

    @Inject
    Pool pool;

    @Inject
    ReadAudit readAudit;

    private static String marker() {
        return "hostile-" + UUID.randomUUID().toString().substring(0, 13);
    }

    @Test
    void searchFiltersAndTimelinePathRefuseControlCharactersAndRecordNothing() {
        String auditor = KeycloakResource.tokenFor("auditor");
        String marker = marker();
        Map<String, String> fieldOf = new LinkedHashMap<>();
        for (String p : List.of("project", "flag", "environment", "actor", "action", "source")) {
            fieldOf.put(p, p);
        }
        fieldOf.put("correlation_id", "correlationId");
        fieldOf.put("actor_type", "actorType");
        fieldOf.put("channel", "channel");
        fieldOf.put("from", "from");
        fieldOf.put("cursor", "cursor");
        fieldOf.put("limit", "limit");
        for (Map.Entry<String, String> param : fieldOf.entrySet()) {
            for (String hostile : HOSTILE_URL) {
                given().auth().oauth2(auditor).urlEncodingEnabled(false)
                        .get(EVENTS + "?" + param.getKey() + "=" + marker + hostile + "b")
                        .then().statusCode(400).contentType("application/problem+json")
                        .body("errors.field", hasItem(param.getValue()));
            }
        }
        // A value that parses after strip() (control characters are whitespace to Java) is still refused.
        given().auth().oauth2(auditor).urlEncodingEnabled(false).get(EVENTS + "?limit=%1F5&project=" + marker)
                .then().statusCode(400).body("errors.field", hasItem("limit"));
        given().auth().oauth2(auditor).queryParam("actor", marker + "x".repeat(300)).get(EVENTS)
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("actor"));

        for (String hostile : HOSTILE_URL) {
            given().auth().oauth2(auditor).urlEncodingEnabled(false)
                    .get("/api/v1/audit/flags/" + marker + hostile + "/x/timeline")
                    .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("project"));
            given().auth().oauth2(auditor).urlEncodingEnabled(false)
                    .get("/api/v1/audit/flags/shop/" + marker + hostile + "/timeline")
                    .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("flag"));
        }

        // The same reads with clean values succeed and are recorded, so the check below can see a recorded read.
        String clean = marker();
        given().auth().oauth2(auditor).queryParam("project", clean).get(EVENTS).then().statusCode(200);
        given().auth().oauth2(auditor).get("/api/v1/audit/flags/" + clean + "/x/timeline").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            readAudit.flush().await().indefinitely();
            assertThat(count("select count(*) from ledger_entry where action = 'audit.read' and canonical_json like $1", clean))
                    .as("the clean reads are recorded").isPositive();
        });
        assertThat(count("select count(*) from ledger_entry where action = 'audit.read' and canonical_json like $1", marker))
                .as("no refused read is recorded").isZero();
    }

    @Test
    void exportsRefuseHostileFiltersReasonAndTicketAndRecordNothing() {
        String auditor = KeycloakResource.tokenFor("auditor");
        String marker = marker();
        String template = "{\"filter\":{\"project\":@project@,\"flag\":@flag@,\"environment\":@environment@,\"actor\":@actor@,"
                + "\"action\":@action@,\"correlationId\":@correlationId@,\"source\":@source@,\"from\":@from@},"
                + "\"reason\":@reason@,\"ticket\":@ticket@}";
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("project", "shop");
        defaults.put("flag", "no-such-flag-" + marker);
        defaults.put("environment", "production");
        defaults.put("actor", "someone");
        defaults.put("action", "flag.toggled");
        defaults.put("correlationId", "c-1");
        defaults.put("source", "flag-api");
        defaults.put("from", "2020-01-01T00:00:00Z");
        defaults.put("reason", "review " + marker);
        defaults.put("ticket", "T-" + marker);
        for (String field : defaults.keySet()) {
            String expected = field.equals("reason") || field.equals("ticket") ? field : "filter." + field;
            for (Map.Entry<String, String> hostile : HOSTILE_JSON.entrySet()) {
                given().auth().oauth2(auditor).contentType("application/json")
                        .body(fill(template, defaults, field, defaults.get(field) + hostile.getValue() + "b"))
                        .post(EXPORTS).then().statusCode(400).contentType("application/problem+json")
                        .body("errors.field", hasItem(expected));
            }
        }
        given().auth().oauth2(auditor).contentType("application/json")
                .body(fill(template, defaults, "reason", "r".repeat(1001))).post(EXPORTS)
                .then().statusCode(400).body("errors.field", hasItem("reason"));
        given().auth().oauth2(auditor).contentType("application/json")
                .body(fill(template, defaults, "flag", "f".repeat(257))).post(EXPORTS)
                .then().statusCode(400).body("errors.field", hasItem("filter.flag"));
        // TAB, LF and CR are fine in free text: this one is refused for its (missing) entries, not its reason.
        given().auth().oauth2(auditor).contentType("application/json")
                .body(fill(template, defaults, "reason", "line one\\nline\\ttwo " + marker)).post(EXPORTS)
                .then().statusCode(is(oneOf(404, 409))).contentType("application/problem+json");

        assertThat(count("select count(*) from ledger_entry where action = 'audit.exported' and canonical_json like $1", marker))
                .as("no export of a refused request is recorded").isZero();
    }

    @Test
    void legalHoldsRefuseHostileFieldsAndNumericTimesAndPlaceNothing() {
        String admin = KeycloakResource.tokenFor("admin");
        String marker = marker();
        String template = "{\"reason\":@reason@,\"project\":@project@,\"flag\":@flag@,\"actor\":@actor@,\"correlationId\":@correlationId@}";
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("reason", "litigation " + marker);
        defaults.put("project", "shop");
        defaults.put("flag", "held-flag");
        defaults.put("actor", "someone");
        defaults.put("correlationId", "c-1");
        for (String field : defaults.keySet()) {
            for (Map.Entry<String, String> hostile : HOSTILE_JSON.entrySet()) {
                given().auth().oauth2(admin).contentType("application/json")
                        .body(fill(template, defaults, field, defaults.get(field) + hostile.getValue() + "b"))
                        .post(HOLDS).then().statusCode(400).contentType("application/problem+json")
                        .body("errors.field", hasItem(field));
            }
        }
        for (String time : List.of("1e400", "-1e400", "1767225600", "\"1e400\"", "true")) {
            for (String field : List.of("from", "to")) {
                given().auth().oauth2(admin).contentType("application/json")
                        .body("{\"reason\":\"litigation " + marker + "\",\"" + field + "\":" + time + "}")
                        .post(HOLDS).then().statusCode(400).contentType("application/problem+json")
                        .body("detail", containsString("'" + field + "'"));
            }
        }
        given().auth().oauth2(admin).contentType("application/json").header("X-Correlation-Id", "c".repeat(300))
                .body("{\"reason\":\"litigation " + marker + "\",\"actor\":\"someone\"}")
                .post(HOLDS).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("correlationId"));
        assertThat(count("select count(*) from legal_hold where reason like $1", marker)).as("no hold placed").isZero();
        assertThat(count("select count(*) from ledger_entry where action = 'legal_hold.placed' and canonical_json like $1", marker))
                .as("no hold recorded").isZero();

        // The same body with clean values is placed (times as RFC 3339 strings, normalised to UTC); lifting it with a
        // hostile reason is refused and leaves it active.
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"reason\":\"litigation\\n" + marker + "\",\"actor\":\"someone\",\"from\":\"2026-01-01T01:00:00+01:00\"}")
                .post(HOLDS).then().statusCode(201).body("from", containsString("2026-01-01T00:00"))
                .extract().jsonPath().getString("id");
        for (String hostile : HOSTILE_URL) {
            given().auth().oauth2(admin).urlEncodingEnabled(false).delete(HOLDS + "/" + id + "?reason=closed" + hostile)
                    .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("reason"));
        }
        given().auth().oauth2(admin).get(HOLDS + "/" + id).then().statusCode(200).body("active", equalTo(true));
        given().auth().oauth2(admin).queryParam("reason", "closed").delete(HOLDS + "/" + id).then().statusCode(200);
    }

    /** The template with each {@code @name@} replaced by its default as a JSON string, {@code field} by {@code value}. */
    private static String fill(String template, Map<String, String> defaults, String field, String value) {
        String out = template;
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            out = out.replace("@" + d.getKey() + "@", "\"" + (d.getKey().equals(field) ? value : d.getValue()) + "\"");
        }
        return out;
    }

    private long count(String sql, String marker) {
        return pool.preparedQuery(sql).execute(Tuple.of("%" + marker + "%")).await().indefinitely().iterator().next().getLong(0);
    }
}
