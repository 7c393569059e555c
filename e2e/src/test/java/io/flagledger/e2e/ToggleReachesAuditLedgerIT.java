package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.flagledger.contract.EventJson;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
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
        JsonPath page = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditor)
                        .queryParam("flag", key).queryParam("action", "flag.toggled")
                        .get("/api/v1/audit/events").then().statusCode(200).extract().jsonPath(),
                        json -> json.getList("items").size() == 1);

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
        JsonPath proven = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditor)
                        .get("/api/v1/audit/events/{id}", eventId).then().statusCode(200).extract().jsonPath(),
                        json -> json.get("inclusionProof") != null);
        assertInclusionProven(proven);

        // The audit API is closed to people without an audit role.
        given().baseUri(stack.url("audit-service")).auth().oauth2(editor).get("/api/v1/audit/events")
                .then().statusCode(403);
        // And the creation is there too, so the flag's whole history is in the ledger.
        given().baseUri(stack.url("audit-service")).auth().oauth2(auditor).queryParam("flag", key)
                .get("/api/v1/audit/events").then().statusCode(200).body("items", hasSize(2));
    }

    private static void assertInclusionProven(JsonPath proven) throws Exception {
        NoteVerifierKey key = NoteVerifierKey.of(Stack.CHECKPOINT_ORIGIN, stack.checkpointKey().getPublic());
        String body = new NoteVerifier(List.of(key)).open(proven.getString("inclusionProof.checkpoint")).text();
        Checkpoint checkpoint = Checkpoint.parse(body);
        byte[] canonical = EventJson.canonicalBytes(EventJson.parse(EventJson.mapper().writeValueAsString(proven.get("event"))));
        byte[] leafHash = MerkleHash.leaf(canonical);
        assertThat(Base64.getEncoder().encodeToString(leafHash)).isEqualTo(proven.getString("inclusionProof.leafHash"));
        List<byte[]> hashes = proven.getList("inclusionProof.hashes", String.class).stream().map(Base64.getDecoder()::decode).toList();
        ProofVerifier.verifyInclusion(proven.getLong("inclusionProof.leafIndex"), checkpoint.size(), leafHash, hashes, checkpoint.rootHash());
    }

    private static String claim(String jwt, String name) {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return JsonPath.from(payload).getString(name);
    }
}
