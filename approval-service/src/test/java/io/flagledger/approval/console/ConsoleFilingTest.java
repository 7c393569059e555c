package io.flagledger.approval.console;

import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.flagledger.approval.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Filing a change request in the console, signed in through Keycloak, at the HTTP level. */
@QuarkusTest
class ConsoleFilingTest {

    private static final String P = "shop";

    @TestHTTPResource("/")
    URL root;

    @Test
    void aFlagEditorFilesARequestWithTheCurrentConfigPrefilled() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        ConsoleSession requester = ConsoleSession.signIn(base(), "requester", "/console/new");

        HttpResponse<String> empty = requester.get("/console/new");
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).contains("<label for=\"project\">", "<label for=\"flag\">", "<label for=\"environment\">",
                "href=\"/console/new\"").doesNotContain("id=\"config\"");

        HttpResponse<String> loaded = requester.get("/console/new?project=" + P + "&flag=" + flag + "&environment=production");
        assertThat(loaded.statusCode()).isEqualTo(200);
        assertThat(loaded.body()).contains("id=\"base-version\">1<", "<label for=\"config\">", "<label for=\"reason\">",
                "<label for=\"correlationId\">", "&quot;enabled&quot; : false");
        Map.Entry<String, String> csrf = ConsoleSession.csrf(loaded.body());

        // invalid input: errors next to their fields, what was typed echoed back escaped, nothing filed
        Map<String, String> bad = ConsoleSession.filing(csrf, P, flag, "{\"enabled\": tru", "", "<script>alert(1)</script>");
        HttpResponse<String> invalid = requester.post("/console/new", bad);
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("id=\"config-error\"", "id=\"reason-error\"", "aria-describedby=\"reason-error\"",
                "aria-invalid=\"true\"", "role=\"alert\"", "&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>", "id=\"correlationId-error\"");
        HttpResponse<String> notAnObject = requester.post("/console/new", ConsoleSession.filing(csrf, P, flag, "[1, 2]", "why", "CHG-1"));
        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(notAnObject.body()).contains("id=\"config-error\"", "must be a JSON object");

        // a form without its CSRF token is refused
        Map<String, String> forged = ConsoleSession.filing(csrf, P, flag, Fixtures.config(true, 10000).toString(), "Canary", "CHG-77");
        forged.remove(csrf.getKey());
        assertThat(requester.post("/console/new", forged).statusCode()).isBetween(400, 403);
        given().auth().oauth2(token("requester")).queryParam("flag", flag).get("/api/v1/change-requests")
                .then().statusCode(200).body("items", equalTo(List.of()));

        HttpResponse<String> filed = requester.post("/console/new",
                ConsoleSession.filing(csrf, P, flag, Fixtures.config(true, 10000).toPrettyString(), "Canary for the new checkout", "CHG-77"));
        assertThat(filed.statusCode()).isEqualTo(303);
        String location = filed.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("/console/requests/").endsWith("?notice=filed");
        String id = location.replaceAll(".*/console/requests/([^?]+).*", "$1");
        given().auth().oauth2(token("requester")).queryParam("mine", true).queryParam("flag", flag)
                .get("/api/v1/change-requests").then().statusCode(200).body("items.id", equalTo(List.of(id)));
        given().auth().oauth2(token("viewer")).get("/api/v1/change-requests/" + id).then().statusCode(200)
                .body("state", equalTo("pending")).body("baseVersion", equalTo(1))
                .body("reason", equalTo("Canary for the new checkout")).body("correlationId", equalTo("CHG-77"))
                .body("proposedConfig.enabled", equalTo(true)).body("diff.path", hasItem("enabled"));
        assertThat(requester.get(URI.create(location).getPath() + "?notice=filed").body())
                .contains("Your change request was filed.", "Canary for the new checkout");
    }

    @Test
    void aStaleOrUnknownTargetIsShownOnTheForm() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        ConsoleSession requester = ConsoleSession.signIn(base(), "requester", "/console/new");
        HttpResponse<String> unknown = requester.get("/console/new?project=" + P + "&flag=no-such-flag&environment=production");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("id=\"flag-error\"", "aria-describedby=\"flag-error\"");
        HttpResponse<String> badKey = requester.get("/console/new?project=Shop%20X&flag=" + flag + "&environment=production");
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(badKey.body()).contains("id=\"project-error\"").doesNotContain("id=\"flag-error\"");

        HttpResponse<String> loaded = requester.get("/console/new?project=" + P + "&flag=" + flag + "&environment=production");
        Map<String, String> stale = ConsoleSession.filing(ConsoleSession.csrf(loaded.body()), P, flag, Fixtures.config(true, 5).toString(), "x", "CHG-9");
        stale.put("baseVersion", "0");
        HttpResponse<String> refused = requester.post("/console/new", stale);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("id=\"form-error\"", "at version 1, not 0");
    }

    @Test
    void anApproverReadsASegmentRequestAsASegmentChange() throws Exception {
        String segment = Fixtures.seedSegment(P, "production", 2, Fixtures.segmentDefinition(List.of("u1"), List.of()));
        String id = given().auth().oauth2(token("requester")).contentType(io.restassured.http.ContentType.JSON)
                .body(Fixtures.createSegment(P, segment, "production", Fixtures.segmentDefinition(List.of("u1", "u2"), List.of()))
                        .toString()).post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
        ConsoleSession approver = ConsoleSession.signIn(base(), "approver1", "/console");
        assertThat(approver.get("/console").body()).contains(P + "/" + segment + "</a> <span class=\"target\">(segment)</span>");
        HttpResponse<String> page = approver.get("/console/requests/" + id);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<h1>Segment " + P + "/" + segment + " in production</h1>", "id=\"segment\"",
                "<code>included[u2]</code>", "id=\"approve\"").doesNotContain("/console/flags/");
        HttpResponse<String> history = approver.get("/console/history?segment=" + segment);
        assertThat(history.body()).contains("/console/requests/" + id, "<label for=\"f-segment\">")
                .doesNotContain("<td colspan=\"6\">No change request matches.</td>");
        assertThat(approver.get("/console/history?segment=no-such-segment").body()).doesNotContain("/console/requests/" + id)
                .contains("No change request matches.");
    }

    @Test
    void onlyFlagEditorsMayFile() throws Exception {
        ConsoleSession approver = ConsoleSession.signIn(base(), "approver1", "/console");
        HttpResponse<String> inbox = approver.get("/console");
        assertThat(inbox.statusCode()).isEqualTo(200);
        assertThat(inbox.body()).doesNotContain("href=\"/console/new\"");
        assertThat(approver.get("/console/new").statusCode()).isEqualTo(403);
    }

    private URI base() throws URISyntaxException {
        return root.toURI();
    }
}
