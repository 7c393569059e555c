package io.flagledger.approval.console;

import static io.flagledger.approval.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.Fixtures;
import io.flagledger.testsupport.keycloak.KeycloakUsers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue #12, item 12 and the console side of items 3 and 4: who may read what in the console, what a request page
 * shows, and that the flag timeline is read from the ledger as the signed-in person.
 */
@QuarkusTest
class ConsoleReadAccessTest {

    private static final String P = "shop";

    @TestHTTPResource("/")
    URL root;

    @Test
    void anAccountWithoutAFlagledgerRoleReadsNothing() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileProductionChange(flag);
        KeycloakUsers.User stranger = KeycloakUsers.create("stranger",
                "stranger-" + UUID.randomUUID().toString().substring(0, 8) + "@flagledger.test", true);
        ConsoleSession s = ConsoleSession.signIn(root.toURI(), stranger.username(), stranger.password(), "/console");
        for (String page : List.of("/console", "/console/history", "/console/requests/" + id, "/console/flags/" + P + "/" + flag)) {
            HttpResponse<String> r = s.get(page);
            assertThat(r.statusCode()).as(page).isEqualTo(403);
            assertThat(r.body()).as(page).contains("id=\"no-role\"", "holds no Flagledger role")
                    .doesNotContain(id, "Roll out the new checkout");
        }
        // an auditor (audit-reader, no flag role) is a Flagledger user
        ConsoleSession auditor = ConsoleSession.signIn(root.toURI(), "auditor", "/console");
        assertThat(auditor.get("/console/requests/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void theRequestPageShowsTheRevisionAuthorTheRevisionsAndBothRuleListsInEvaluationOrder() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        String id = fileProductionChange(flag);
        var moved = Fixtures.JSON.readTree("""
                {"enabled":true,"offVariation":"off","rules":[
                  {"id":"everyone","clauses":[{"attribute":"key","operator":"exists","values":[]}],"serve":{"variation":"on"}},
                  {"id":"sanctioned","clauses":[{"attribute":"country","operator":"in","values":["IR","KP","CU"]}],"serve":{"variation":"off"}}],
                 "fallthrough":{"variation":"off"}}""");
        var before = Fixtures.JSON.readTree("""
                {"enabled":true,"offVariation":"off","rules":[
                  {"id":"sanctioned","clauses":[{"attribute":"country","operator":"in","values":["IR","KP"]}],"serve":{"variation":"off"}},
                  {"id":"everyone","clauses":[{"attribute":"key","operator":"exists","values":[]}],"serve":{"variation":"on"}}],
                 "fallthrough":{"variation":"off"}}""");
        // production now holds "before" at version 2; approver2 rebases the request onto it with the re-ordering
        JsonNode state = Fixtures.fakeFlag(P, flag);
        ((com.fasterxml.jackson.databind.node.ObjectNode) state.at("/environments/production")).put("version", 2).set("config", before);
        given().body(state.toString()).put(Fixtures.fakeFlagApi() + "/__fake/flags/" + P + "/" + flag).then().statusCode(204);
        given().auth().oauth2(token("approver2")).contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body(Map.of("config", moved, "baseVersion", 2, "comment", "sanctions first? no: everyone first"))
                .put("/api/v1/change-requests/" + id + "/proposal").then().statusCode(200);

        HttpResponse<String> page = ConsoleSession.signIn(root.toURI(), "approver2", "/console").get("/console/requests/" + id);
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("<dd id=\"requester\">Rita Requester</dd>", "<dd id=\"revision-author\">Sam Securityapprover</dd>",
                "<code>rules (order)</code>", "<code>rules[sanctioned].clauses[country].values[2]</code>",
                "sanctions first? no: everyone first", "id=\"revisions\"")
                // approver2 wrote revision 2: no decision form for them
                .doesNotContain("id=\"approve\"");
        String rulesBefore = html.substring(html.indexOf("id=\"rules-before\""), html.indexOf("id=\"rules-after\""));
        String rulesAfter = html.substring(html.indexOf("id=\"rules-after\""), html.indexOf("id=\"revisions\""));
        assertThat(rulesBefore.indexOf("<code>sanctioned</code>")).isPositive().isLessThan(rulesBefore.indexOf("<code>everyone</code>"));
        assertThat(rulesAfter.indexOf("<code>everyone</code>")).isPositive().isLessThan(rulesAfter.indexOf("<code>sanctioned</code>"));
        assertThat(rulesAfter).contains("country in [&quot;IR&quot;,&quot;KP&quot;,&quot;CU&quot;]", "(fallthrough)");

        // approver1 still may decide, and the form names revision 2
        assertThat(ConsoleSession.signIn(root.toURI(), "approver1", "/console").get("/console/requests/" + id).body())
                .contains("id=\"approve\"", "name=\"revision\" value=\"2\"");
    }

    @Test
    void theTimelineIsReadFromTheLedgerAsThePersonAndOnlyWithAuditReader() throws Exception {
        String flag = Fixtures.seedFlag(P, null);
        int before = auditReads().size();

        HttpResponse<String> viewer = ConsoleSession.signIn(root.toURI(), "viewer", "/console").get("/console/flags/" + P + "/" + flag);
        assertThat(viewer.statusCode()).isEqualTo(200);
        assertThat(viewer.body()).contains("id=\"ledger-needs-role\"", "needs the <code>audit-reader</code> role")
                .doesNotContain("ledger entry for");
        assertThat(auditReads()).as("no read on the viewer's behalf").hasSize(before);

        HttpResponse<String> auditor = ConsoleSession.signIn(root.toURI(), "auditor", "/console").get("/console/flags/" + P + "/" + flag);
        assertThat(auditor.statusCode()).isEqualTo(200);
        assertThat(auditor.body()).contains("ledger entry for project=" + P + "&amp;flag=" + flag).doesNotContain("ledger-needs-role");
        List<JsonNode> reads = auditReads();
        assertThat(reads).hasSize(before + 1);
        JsonNode reader = reads.get(reads.size() - 1);
        // the auditor's own access token from the sign-in, not approval-service's client credentials
        assertThat(reader.path("preferred_username").asText()).isEqualTo("auditor");
        assertThat(reader.path("azp").asText()).isEqualTo("flagledger-console");
    }

    private static List<JsonNode> auditReads() {
        JsonNode all = given().get(Fixtures.fakeFlagApi() + "/__fake/audit-reads").then().statusCode(200).extract().as(JsonNode.class);
        List<JsonNode> out = new java.util.ArrayList<>();
        all.forEach(out::add);
        return out;
    }

    private static String fileProductionChange(String flag) {
        return given().auth().oauth2(token("requester")).contentType(ContentType.JSON)
                .body(Fixtures.create(P, flag, "production", Fixtures.config(true, 10000)).toString())
                .post("/api/v1/change-requests").then().statusCode(201).extract().path("id");
    }
}
