package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thin slice across services, all real: an editor signed in through Keycloak toggles a flag in
 * flag-api; the signed event travels through the outbox and Kafka into audit-service's ledger and
 * comes back out of the audit API with the actor, reason and correlation id it was made with.
 */
class ToggleReachesAuditLedgerIT {

    private static Stack stack;

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
        stack = Stack.start(root, root.resolve("e2e/target/stack"), List.of("flag-api", "audit-service"));
        System.out.println("[e2e] start times (ms): " + stack.startTimes());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void editorsToggleAppearsInTheAuditLedger() throws Exception {
        String editor = stack.token("requester");
        String flagApi = stack.url("flag-api");
        String key = "new-checkout-" + UUID.randomUUID().toString().substring(0, 8);
        String correlationId = "ci-run-" + UUID.randomUUID();

        given().baseUri(flagApi).auth().oauth2(editor).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "New checkout"))
                .post("/api/v1/projects/shop/flags")
                .then().statusCode(201);
        given().baseUri(flagApi).auth().oauth2(editor).contentType(ContentType.JSON)
                .header("X-Correlation-Id", correlationId)
                .body(Map.of("enabled", true, "reason", "Canary rollout for payment integration"))
                .post("/api/v1/projects/shop/flags/{key}/environments/staging/toggle", key)
                .then().statusCode(200).body("enabled", equalTo(true));

        String auditor = stack.token("auditor");
        JsonPath page = Ledger.awaitSearch(stack, auditor, Map.of("flag", key, "action", "flag.toggled"), 1, Duration.ofSeconds(60));
        assertThat(page.getList("items")).hasSize(1);

        Map<String, Object> event = page.getMap("items[0].event");
        assertThat(event.get("actor_id")).isEqualTo(claim(editor, "sub"));
        assertThat(event.get("actor_type")).isEqualTo("user");
        assertThat(event.get("actor_name")).isNotNull();
        assertThat(event.get("source_service")).isEqualTo("flag-api");
        assertThat(event.get("environment")).isEqualTo("staging");
        assertThat(event.get("reason")).isEqualTo("Canary rollout for payment integration");
        assertThat(event.get("correlation_id")).isEqualTo(correlationId);
        assertThat(page.getBoolean("items[0].event.previous_state.enabled")).isFalse();
        assertThat(page.getBoolean("items[0].event.new_state.enabled")).isTrue();
        assertThat(page.getString("items[0].event.signature.key_id")).isEqualTo("flag-api-local");

        // The ledger proves the event is in its signed tree: verify the checkpoint signature with the public key
        // alone, recompute the leaf hash from the event itself, and check the inclusion proof against the signed root.
        String eventId = page.getString("items[0].event.event_id");
        Ledger.assertInclusionProven(stack, Ledger.awaitProof(stack, auditor, eventId, Duration.ofSeconds(60)));

        // The audit API is closed to people without an audit role.
        given().baseUri(stack.url("audit-service")).auth().oauth2(editor).get("/api/v1/audit/events")
                .then().statusCode(403);
        // And the creation is there too, so the flag's whole history is in the ledger.
        given().baseUri(stack.url("audit-service")).auth().oauth2(auditor).queryParam("flag", key)
                .get("/api/v1/audit/events").then().statusCode(200).body("items", hasSize(2));
    }

    private static String claim(String jwt, String name) {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return JsonPath.from(payload).getString(name);
    }
}
