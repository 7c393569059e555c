package io.flagledger.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.contract.EventJson;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Reading the audit ledger the way an auditor does: search it, fetch an entry's inclusion proof and verify it offline. */
final class Ledger {

    private Ledger() {
    }

    /** Searches {@code /api/v1/audit/events} until a page has at least {@code atLeast} items, within {@code bound}. */
    static JsonPath awaitSearch(Stack stack, String auditorToken, Map<String, ?> query, int atLeast, Duration bound) {
        return await().atMost(bound).pollInterval(Duration.ofMillis(250))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditorToken).queryParams(query)
                                .get("/api/v1/audit/events").then().statusCode(200).extract().jsonPath(),
                        json -> json.getList("items").size() >= atLeast);
    }

    /** Fetches the entry of {@code eventId} until it carries an inclusion proof (a checkpoint covers it), within {@code bound}. */
    static JsonPath awaitProof(Stack stack, String auditorToken, String eventId, Duration bound) {
        return await().atMost(bound).pollInterval(Duration.ofMillis(250))
                .until(() -> given().baseUri(stack.url("audit-service")).auth().oauth2(auditorToken)
                                .get("/api/v1/audit/events/{id}", eventId).then().statusCode(200).extract().jsonPath(),
                        json -> json.get("inclusionProof") != null);
    }

    /**
     * Verifies a proven entry with the checkpoint's public key alone: the checkpoint signature, the leaf hash recomputed
     * from the event itself, and the inclusion proof against the signed root.
     */
    static void assertInclusionProven(Stack stack, JsonPath proven) throws Exception {
        NoteVerifierKey key = NoteVerifierKey.of(Stack.CHECKPOINT_ORIGIN, stack.checkpointKey().getPublic());
        String body = new NoteVerifier(List.of(key)).open(proven.getString("inclusionProof.checkpoint")).text();
        Checkpoint checkpoint = Checkpoint.parse(body);
        byte[] canonical = EventJson.canonicalBytes(EventJson.parse(EventJson.mapper().writeValueAsString(proven.get("event"))));
        byte[] leafHash = MerkleHash.leaf(canonical);
        assertThat(Base64.getEncoder().encodeToString(leafHash)).isEqualTo(proven.getString("inclusionProof.leafHash"));
        List<byte[]> hashes = proven.getList("inclusionProof.hashes", String.class).stream().map(Base64.getDecoder()::decode).toList();
        ProofVerifier.verifyInclusion(proven.getLong("inclusionProof.leafIndex"), checkpoint.size(), leafHash, hashes, checkpoint.rootHash());
    }
}
