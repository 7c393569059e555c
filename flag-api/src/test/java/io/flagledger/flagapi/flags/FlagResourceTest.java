package io.flagledger.flagapi.flags;

import static io.flagledger.flagapi.TestEvents.events;
import static io.flagledger.flagapi.TestEvents.subjectOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventVerifier;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class FlagResourceTest {

    private static final String PROBLEM = "application/problem+json";

    private final String project = "shop";

    @Test
    void toggleIsPersistedAndReachesKafkaAsASignedEvent() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor);

        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .header("X-Correlation-Id", "ci-run-42")
                .header("User-Agent", "flag-test/1.0")
                .body(Map.of("enabled", true, "reason", "canary for checkout"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", project, key)
                .then().statusCode(200)
                .header("ETag", containsString("1"))
                .header("X-Correlation-Id", "ci-run-42")
                .body("enabled", equalTo(true), "version", equalTo(1), "protectedEnvironment", equalTo(false));

        given().auth().oauth2(KeycloakResource.tokenFor("viewer"))
                .get("/api/v1/projects/{p}/flags/{k}", project, key)
                .then().statusCode(200)
                .body("environments.find { it.environment == 'staging' }.enabled", equalTo(true));

        String messageKey = project + "/" + key;
        List<AuditEvent> events = events("flag.changes", e -> messageKey.equals(e.project() + "/" + e.flagId()), 2);
        AuditEvent toggled = events.get(1);
        assertThat(events.get(0).action()).isEqualTo("flag.created");
        assertThat(toggled.action()).isEqualTo("flag.toggled");
        assertThat(toggled.actorId()).isEqualTo(subjectOf(editor));
        assertThat(toggled.actorRoles()).contains("flag-editor");
        assertThat(toggled.environment()).isEqualTo("staging");
        assertThat(toggled.correlationId()).isEqualTo("ci-run-42");
        assertThat(toggled.reason()).isEqualTo("canary for checkout");
        assertThat(toggled.request().userAgent()).isEqualTo("flag-test/1.0");
        assertThat(toggled.previousState().get("enabled").asBoolean()).isFalse();
        assertThat(toggled.newState().get("enabled").asBoolean()).isTrue();
        new EventVerifier(Map.of(SigningKeyResource.KEY_ID, SigningKeyResource.keyPair().getPublic())).verify(toggled);
    }

    @Test
    void protectedEnvironmentNeedsReasonAndCorrelationId() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/production/toggle", project, key)
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("reason"));
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("enabled", true, "reason", "why not"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/production/toggle", project, key)
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("correlation id"));
    }

    @Test
    void unprotectedEnvironmentGetsAGeneratedCorrelationId() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor);
        given().auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/development/toggle", project, key)
                .then().statusCode(200).header("X-Correlation-Id", notNullValue());
    }

    @Test
    void staleIfMatchIsRefusedNotOverwritten() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor);
        toggle(editor, key, true, "\"0\"").then().statusCode(200).body("version", equalTo(1));
        toggle(editor, key, false, "\"0\"").then().statusCode(412).contentType(PROBLEM)
                .body("detail", containsString("version 1"));
        toggle(editor, key, false, "\"1\"").then().statusCode(200).body("version", equalTo(2));
        toggle(editor, key, false, "not-a-version").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void rolesAndAuthenticationAreEnforcedAndDenialsAreAudited() throws Exception {
        String key = newFlag(KeycloakResource.tokenFor("requester"));
        String viewer = KeycloakResource.tokenFor("viewer");
        given().auth().oauth2(viewer).contentType(ContentType.JSON).header("X-Correlation-Id", "denied-" + key)
                .body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/development/toggle", project, key)
                .then().statusCode(403).contentType(PROBLEM);
        AuditEvent denied = events("security.events", e -> ("denied-" + key).equals(e.correlationId()), 1).get(0);
        assertThat(denied.action()).isEqualTo("access.denied");
        assertThat(denied.actorId()).isEqualTo(subjectOf(viewer));
        assertThat(denied.scope().get("status").asInt()).isEqualTo(403);
        assertThat(denied.scope().get("path").asText()).endsWith("/environments/development/toggle");
        given().contentType(ContentType.JSON).body(Map.of("enabled", true)).header("X-Correlation-Id", "anon-" + key)
                .post("/api/v1/projects/{p}/flags/{k}/environments/development/toggle", project, key)
                .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", containsString("Bearer"));
        assertThat(events("security.events", e -> ("anon-" + key).equals(e.correlationId()), 1).get(0).actorId()).isEqualTo("anonymous");
        given().auth().oauth2("not-a-token").get("/api/v1/projects/{p}/flags/{k}", project, key)
                .then().statusCode(401);
        // an attempt around the approval gate is a refusal too: in the ledger, not only in the answer
        String editor = KeycloakResource.tokenFor("requester");
        given().auth().oauth2(editor).contentType(ContentType.JSON).header("X-Correlation-Id", "ungated-" + key)
                .body(Map.of("enabled", true, "reason", "skip the queue"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/production/toggle", project, key)
                .then().statusCode(428).contentType(PROBLEM);
        AuditEvent ungated = events("security.events", e -> ("ungated-" + key).equals(e.correlationId()), 1).get(0);
        assertThat(ungated.action()).isEqualTo("access.denied");
        assertThat(ungated.actorId()).isEqualTo(subjectOf(editor));
        assertThat(ungated.scope().get("status").asInt()).isEqualTo(428);
        assertThat(ungated.scope().get("endpoint").asText()).isEqualTo("/api/v1/projects/{project}/flags/{key}/environments/{environment}/toggle");
    }

    @Test
    void badInputGetsProblemDetails() {
        String editor = KeycloakResource.tokenFor("requester");
        String key = newFlag(editor);
        String url = "/api/v1/projects/" + project + "/flags/" + key + "/environments/development/toggle";
        given().auth().oauth2(editor).contentType(ContentType.JSON).body("{\"enabled\": tru")
                .post(url).then().statusCode(400).contentType(PROBLEM).body("detail", containsString("Malformed JSON"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body("{\"enabled\": \"perhaps\"}")
                .post(url).then().statusCode(400).contentType(PROBLEM).body("detail", containsString("enabled"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body("{}")
                .post(url).then().statusCode(400).contentType(PROBLEM).body("errors", hasSize(1))
                .body("errors[0].field", equalTo("enabled"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", "Bad Key!", "name", "x"))
                .post("/api/v1/projects/{p}/flags", project).then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].field", equalTo("key"));
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("key", key, "name", "again"))
                .post("/api/v1/projects/{p}/flags", project).then().statusCode(409).contentType(PROBLEM);
        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .post("/api/v1/projects/{p}/flags/{k}/environments/nowhere/toggle", project, key)
                .then().statusCode(404).contentType(PROBLEM);
        // An oversized body (413) is asserted by HostileInputTest over a raw socket: the server answers and closes
        // before a client like this one has written the whole body, which made this check fail with a broken pipe.
    }

    private io.restassured.response.Response toggle(String token, String key, boolean enabled, String ifMatch) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("enabled", enabled));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return request.post("/api/v1/projects/{p}/flags/{k}/environments/development/toggle", project, key);
    }

    private String newFlag(String token) {
        String key = "checkout-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "New checkout", "description", "v2 of the checkout flow"))
                .post("/api/v1/projects/{p}/flags", project)
                .then().statusCode(201)
                .body("key", equalTo(key), "environments", hasSize(3));
        return key;
    }
}
