package io.flagledger.approval;

import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.console.ConsoleSession;
import io.flagledger.approval.db.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every write endpoint of approval-service (API and console forms) against values no event can carry: NUL and other
 * C0 controls in every string field, lone surrogates, non-finite numbers, deep nesting, huge arrays, oversized
 * configs and bodies, control characters in X-Correlation-Id. Each gets a 4xx naming the field (never a 5xx) and
 * nothing is written; a genuine request afterwards still goes through.
 */
@QuarkusTest
class HostileInputTest {

    private static final String P = "shop";
    /** A placeholder replaced by a JSON escape of a lone surrogate (a Java string cannot be encoded with one). */
    private static final String LONE = "LONE-SURROGATE";
    private static final List<String> CONTROLS = List.of("a\u0000b", "a\u0001b", "\u001b[31mred", "a\u007fb", "a" + LONE);
    private static final List<String> LINE_BREAKS = List.of("a\nb", "a\rb", "a\tb");

    @Inject
    Db db;

    @TestHTTPResource("/")
    URL root;

    @Test
    void createRefusesEveryStringFieldWithControlCharactersOrLoneSurrogates() {
        long before = written();
        for (String field : List.of("project", "flag", "environment", "reason", "correlationId")) {
            for (String bad : CONTROLS) {
                ObjectNode body = Fixtures.create(P, "hostile-flag", "production", Fixtures.config(true, 1));
                body.put(field, bad);
                refused(post(json(body)), field);
            }
        }
        for (String field : List.of("project", "flag", "environment", "correlationId")) {
            for (String bad : LINE_BREAKS) {
                ObjectNode body = Fixtures.create(P, "hostile-flag", "production", Fixtures.config(true, 1));
                body.put(field, bad);
                refused(post(json(body)), field);
            }
        }
        ObjectNode segment = Fixtures.createSegment(P, "hostile-segment", "production", Fixtures.segmentDefinition(List.of("u1"), List.of()));
        segment.put("segment", "s\u0000");
        refused(post(json(segment)), "segment");
        // a reason may span lines, but not be longer than the contract allows
        ObjectNode longReason = Fixtures.create(P, "hostile-flag", "production", Fixtures.config(true, 1));
        longReason.put("reason", "x".repeat(2001));
        refused(post(json(longReason)), "reason");
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void createRefusesConfigsNoEventCanCarry() {
        long before = written();
        for (String config : hostileConfigs()) {
            String body = json(Fixtures.create(P, "hostile-flag", "production", Fixtures.JSON.createObjectNode()))
                    .replace("\"config\":{}", "\"config\":" + config);
            refused(post(body), "config");
            String segment = json(Fixtures.createSegment(P, "hostile-segment", "production", Fixtures.JSON.createObjectNode()))
                    .replace("\"definition\":{}", "\"definition\":" + config);
            refused(post(segment), "definition");
        }
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void structuralAttacksAreFourHundredsNotFiveHundreds() throws Exception {
        long before = written();
        // nesting beyond the JSON parser's own limit, a 10 MB body, a body that is not JSON
        String deep = "{\"config\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(deep).post("/api/v1/change-requests")
                .then().statusCode(400).contentType("application/problem+json");
        // a 10 MB body is refused from its declared length, before it is read
        assertThat(raw("POST", 10 * 1024 * 1024, new byte[0], "")).isEqualTo(413);
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body("{\"project\": \"shop\", \u0000")
                .post("/api/v1/change-requests").then().statusCode(400).contentType("application/problem+json");
        // query filters reach SQL: a NUL is a 400, not a failed query
        given().auth().oauth2(token("requester")).queryParam("project", "a\u0000b").get("/api/v1/change-requests")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("project"));
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void correlationHeaderWithControlCharactersIsRefused() throws Exception {
        long before = written();
        String body = json(Fixtures.create(P, "hostile-flag", "production", Fixtures.config(true, 1)).without("correlationId"));
        // refused by the HTTP layer or by the validator: never a 5xx, never recorded
        for (String bad : List.of("a\u0000b", "a\u0001b", "a\rb", "a\u001bb", "a\tb")) {
            int status = rawPost(body, "X-Correlation-Id: " + bad);
            assertThat(status).as("X-Correlation-Id %s", bad.chars().boxed().toList()).isBetween(400, 499);
        }
        // HTTP allows a TAB in a header value; a single-line value does not: the validator names the header
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).header("X-Correlation-Id", "a\tb")
                .body(body).post("/api/v1/change-requests").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("correlationHeader"));
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).header("X-Correlation-Id", "x".repeat(201))
                .body(body).post("/api/v1/change-requests").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("correlationHeader"));
        assertThat(written()).isEqualTo(before);

        // a header the service records but did not choose is escaped, not refused: the request goes through
        String flag = Fixtures.seedFlag(P, null);
        // production: the request stays pending, no background apply writes while other tests count rows
        String genuine = json(Fixtures.create(P, flag, "production", Fixtures.config(true, 1)));
        given().auth().oauth2(token("requester")).contentType(ContentType.JSON).header("User-Agent", "probe\tx%")
                .body(genuine).post("/api/v1/change-requests").then().statusCode(201);
        assertThat(written()).isGreaterThan(before);
        assertThat(Fixtures.events(e -> flag.equals(e.flagId()), 1).get(0).request().userAgent()).isEqualTo("probe%09x%25");
    }

    @Test
    void decisionsAndRevisionsRefuseWhatNoEventCanCarry() {
        String flag = Fixtures.seedFlag(P, null);
        String id = given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(json(Fixtures.create(P, flag, "production", Fixtures.config(true, 10)))).post("/api/v1/change-requests")
                .then().statusCode(201).extract().path("id");
        long before = written();
        for (String bad : CONTROLS) {
            String comment = json(Fixtures.JSON.createObjectNode().put("comment", bad));
            refused(decide("approver1", id, "approvals", comment), "comment");
            refused(decide("approver1", id, "rejections", comment), "comment");
            refused(given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                    .body(json(Fixtures.JSON.createObjectNode().put("reason", bad))).post("/api/v1/change-requests/" + id + "/withdrawal")
                    .then(), "reason");
            ObjectNode revise = Fixtures.JSON.createObjectNode().put("comment", bad).put("baseVersion", 1);
            revise.set("config", Fixtures.config(true, 20));
            refused(revise(id, json(revise)), "comment");
        }
        for (String config : hostileConfigs()) {
            refused(revise(id, "{\"baseVersion\":1,\"config\":" + config + "}"), "config");
        }
        assertThat(written()).isEqualTo(before);
        given().auth().oauth2(token("requester")).get("/api/v1/change-requests/" + id).then().statusCode(200)
                .body("revision", org.hamcrest.Matchers.equalTo(1)).body("state", org.hamcrest.Matchers.equalTo("pending"))
                .body("decisions.size()", org.hamcrest.Matchers.equalTo(0));
        // the genuine decision still goes through
        decide("approver1", id, "approvals", "{\"comment\":\"fine\\nby me\"}").statusCode(200);
    }

    @Test
    void consoleFormsShowTheErrorNextToTheFieldAndFileNothing() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        ConsoleSession requester = ConsoleSession.signIn(root.toURI(), "requester", "/console/new");
        HttpResponse<String> loaded = requester.get("/console/new?project=" + P + "&flag=" + flag + "&environment=production");
        Map.Entry<String, String> csrf = ConsoleSession.csrf(loaded.body());
        long before = written();
        String good = Fixtures.config(true, 10).toString();
        assertConsoleError(requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, good, "wh\u0000y", "CHG-1")), "reason");
        assertConsoleError(requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, good, "why", "CH\u0001G")), "correlationId");
        assertConsoleError(requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, good, "why", "CHG\nX")), "correlationId");
        // (the 100,000-element array is over the body limit once URL-encoded: 413 from the HTTP layer)
        for (String config : hostileConfigs().stream().filter(c -> c.length() < 100_000).toList()) {
            assertConsoleError(requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, "{\"rules\":" + config + "}", "why", "CHG-1")), "config");
        }
        assertThat(requester.get("/console/history?project=a%00b").statusCode()).isEqualTo(400);
        assertThat(requester.get("/console/flags/a%00b/x").statusCode()).isEqualTo(400);
        assertThat(written()).isEqualTo(before);
        HttpResponse<String> filed = requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, good, "Canary", "CHG-console"));
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(303);
        String id = filed.headers().firstValue("Location").orElseThrow().replaceAll(".*/requests/([^?]+).*", "$1");

        ConsoleSession approver = ConsoleSession.signIn(root.toURI(), "approver1", "/console");
        Map.Entry<String, String> decideCsrf = ConsoleSession.csrf(approver.get("/console/requests/" + id).body());
        for (String action : List.of("approve", "reject")) {
            Map<String, String> form = new LinkedHashMap<>();
            form.put(decideCsrf.getKey(), decideCsrf.getValue());
            form.put("revision", "1");
            form.put("comment", "o\u0000k"); // inside: the form trims trailing controls away
            HttpResponse<String> refused = approver.post("/console/requests/" + id + "/" + action, form);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("id=\"comment-error\"", "aria-invalid=\"true\"", "U+0000");
        }
        given().auth().oauth2(token("requester")).get("/api/v1/change-requests/" + id).then().statusCode(200)
                .body("decisions.size()", org.hamcrest.Matchers.equalTo(0));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Configs (JSON text) the contract cannot carry; each is refused naming config/definition. */
    private static List<String> hostileConfigs() {
        StringBuilder huge = new StringBuilder("[");
        for (int i = 0; i < 100_000; i++) {
            huge.append(i == 0 ? "0" : ",0"); // 200 KB: under the body limit, so the array limit answers
        }
        StringBuilder expanding = new StringBuilder("{\"values\":[");
        for (int i = 0; i < 9_000; i++) {
            expanding.append(i == 0 ? "" : ",").append("1e20");
        }
        return List.of(
                "{\"enabled\":\"a\\u0000b\"}",
                "{\"a\\u0000\":true}",
                "{\"enabled\":\"\\ud800\"}",
                "{\"weight\":1e400}",
                "{\"weight\":-1e400}",
                "{\"x\":" + "[".repeat(40) + "]".repeat(40) + "}",
                "{\"values\":" + huge + "]}",
                // 9,000 values of 1e20: 45 KB of body, 190 KB canonical (each becomes 100000000000000000000)
                expanding + "]}",
                "{\"big\":\"" + "x".repeat(70_000) + "\"}");
    }

    private void assertConsoleError(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("id=\"" + field + "-error\"", "role=\"alert\"");
    }

    /** Change requests, decisions and outbox rows: none may appear for a refused request. */
    private long written() {
        return db.query("select (select count(*) from change_request) + (select count(*) from decision) "
                + "+ (select count(*) from outbox_event)").iterator().next().getLong(0);
    }

    private static String json(ObjectNode body) {
        return body.toString().replace(LONE, "\\ud800");
    }

    private static ValidatableResponse post(String body) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(body).post("/api/v1/change-requests").then();
    }

    private static ValidatableResponse decide(String user, String id, String what, String body) {
        return given().auth().oauth2(token(user)).contentType(ContentType.JSON).header("If-Match", Fixtures.revisionTag(id))
                .body(body).post("/api/v1/change-requests/" + id + "/" + what).then();
    }

    private static ValidatableResponse revise(String id, String body) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON).body(body)
                .put("/api/v1/change-requests/" + id + "/proposal").then();
    }

    private static void refused(ValidatableResponse response, String field) {
        response.statusCode(400).contentType("application/problem+json").body("errors.field", hasItem(field));
    }

    private int rawPost(String body, String extraHeader) throws Exception {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        return raw("POST", payload.length, payload, extraHeader + "\r\n");
    }

    /** A request written byte for byte, so a header can carry what HTTP client libraries refuse to send. */
    private int raw(String method, long contentLength, byte[] payload, String extraHeaders) throws Exception {
        String head = method + " /api/v1/change-requests HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort() + "\r\n"
                + "Authorization: Bearer " + token("requester") + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\nConnection: close\r\n" + extraHeaders + "\r\n";
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(response.substring(9, 12));
            assertThat(status).as(response).isLessThan(500);
            return status;
        }
    }
}
