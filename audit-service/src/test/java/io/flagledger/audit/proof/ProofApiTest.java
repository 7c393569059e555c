package io.flagledger.audit.proof;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.flagledger.audit.TestLedger;
import io.flagledger.audit.checkpoint.CheckpointKeyResource;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Events go through Kafka into the ledger; the proofs served over HTTP verify with the event-contract verifier. */
@QuarkusTest
class ProofApiTest {

    @Test
    void inclusionProofOfAnEventVerifiesAgainstTheSignedCheckpoint() throws Exception {
        List<AuditEvent> events = TestLedger.publishFlagEvents("proof-" + UUID.randomUUID().toString().substring(0, 8), 7);
        long maxSeq = 0;
        for (AuditEvent e : events) {
            maxSeq = Math.max(maxSeq, entry(e.eventId()).getLong("seq"));
        }
        Checkpoint checkpoint = TestLedger.awaitCheckpointCovering(maxSeq);
        assertThat(checkpoint.origin()).isEqualTo(CheckpointKeyResource.ORIGIN);

        for (AuditEvent e : events) {
            JsonPath entry = provenEntry(e.eventId(), checkpoint.size());
            // The verifier recomputes the leaf from the event it was given, never trusting the server's leaf hash.
            byte[] leaf = MerkleHash.leaf(EventJson.canonicalBytes(EventJson.parse(json(entry, "event"))));
            assertThat(leaf).isEqualTo(MerkleHash.leaf(EventJson.canonicalBytes(e)));
            Checkpoint signed = TestLedger.open(entry.getString("inclusionProof.checkpoint"));
            ProofVerifier.verifyInclusion(entry.getLong("inclusionProof.leafIndex"), signed.size(), leaf,
                    hashes(entry.getList("inclusionProof.hashes", String.class)), signed.rootHash());
            assertThat(entry.getLong("inclusionProof.leafIndex")).isEqualTo(entry.getLong("seq") - 1);
        }
    }

    @Test
    void consistencyProofBetweenTwoCheckpointsVerifies() throws Exception {
        List<AuditEvent> first = TestLedger.publishFlagEvents("consistency-" + UUID.randomUUID().toString().substring(0, 8), 3);
        Checkpoint older = TestLedger.awaitCheckpointCovering(entry(first.get(2).eventId()).getLong("seq"));
        List<AuditEvent> second = TestLedger.publishFlagEvents("consistency-" + UUID.randomUUID().toString().substring(0, 8), 6);
        Checkpoint newer = TestLedger.awaitCheckpointCovering(entry(second.get(5).eventId()).getLong("seq"));
        assertThat(newer.size()).isGreaterThan(older.size());

        JsonPath proof = given().auth().oauth2(auditor()).queryParam("from", older.size()).queryParam("to", newer.size())
                .get("/api/v1/audit/proofs/consistency").then().statusCode(200).extract().jsonPath();
        // Roots come from the two signed notes, not from the server's convenience fields.
        Checkpoint from = TestLedger.open(proof.getString("fromCheckpoint"));
        Checkpoint to = TestLedger.open(proof.getString("toCheckpoint"));
        assertThat(from).isEqualTo(older);
        assertThat(to).isEqualTo(newer);
        ProofVerifier.verifyConsistency(older.size(), newer.size(), older.rootHash(), newer.rootHash(),
                hashes(proof.getList("hashes", String.class)));
        assertThat(proof.getString("toRoot")).isEqualTo(newer.rootBase64());

        // Without "to", the proof runs to the latest checkpoint.
        JsonPath toLatest = given().auth().oauth2(auditor()).queryParam("from", older.size())
                .get("/api/v1/audit/proofs/consistency").then().statusCode(200).extract().jsonPath();
        Checkpoint latest = TestLedger.open(toLatest.getString("toCheckpoint"));
        ProofVerifier.verifyConsistency(older.size(), latest.size(), older.rootHash(), latest.rootHash(),
                hashes(toLatest.getList("hashes", String.class)));
    }

    @Test
    void latestCheckpointIsASignedNoteOrJson() {
        Checkpoint checkpoint = TestLedger.awaitCheckpointCovering(0);
        String note = given().auth().oauth2(auditor()).get("/api/v1/audit/checkpoints/latest")
                .then().statusCode(200).contentType(startsWith("text/plain")).extract().asString();
        assertThat(note).startsWith(CheckpointKeyResource.ORIGIN + "\n").contains("\n\n\u2014 " + CheckpointKeyResource.ORIGIN + " ");
        TestLedger.open(note);
        JsonPath json = given().auth().oauth2(auditor()).accept("application/json").get("/api/v1/audit/checkpoints/latest")
                .then().statusCode(200).contentType(startsWith("application/json")).extract().jsonPath();
        Checkpoint fromJson = TestLedger.open(json.getString("note"));
        assertThat(json.getLong("treeSize")).isEqualTo(fromJson.size()).isGreaterThanOrEqualTo(checkpoint.size());
        assertThat(json.getString("rootHash")).isEqualTo(fromJson.rootBase64());
        assertThat(json.getString("origin")).isEqualTo(CheckpointKeyResource.ORIGIN);
    }

    @Test
    void keysListCheckpointKeysAndProducerKeys() {
        given().auth().oauth2(auditor()).get("/api/v1/audit/keys").then().statusCode(200)
                .body("checkpoint.verifierKey", equalTo(TestLedger.checkpointKey().encoded()))
                .body("checkpoint.name", equalTo(CheckpointKeyResource.ORIGIN))
                .body("previousCheckpointKeys.name", hasItem(CheckpointKeyResource.PREVIOUS_NAME))
                .body("producers.keyId", hasItem(SigningKeyResource.KEY_ID))
                .body("producers.find { it.keyId == '" + SigningKeyResource.KEY_ID + "' }.services", hasItem("flag-api"));
    }

    @Test
    void proofAtAGivenTreeSizeMatchesARootComputedIndependently() throws Exception {
        List<AuditEvent> events = TestLedger.publishFlagEvents("sized-" + UUID.randomUUID().toString().substring(0, 8), 2);
        long seq = entry(events.get(0).eventId()).getLong("seq");
        long later = entry(events.get(1).eventId()).getLong("seq");
        JsonPath proven = given().auth().oauth2(auditor()).queryParam("tree_size", later)
                .get("/api/v1/audit/events/" + events.get(0).eventId()).then().statusCode(200).extract().jsonPath();
        assertThat(proven.getLong("inclusionProof.treeSize")).isEqualTo(later);
        byte[] root = Base64.getDecoder().decode(proven.getString("inclusionProof.rootHash"));
        ProofVerifier.verifyInclusion(seq - 1, later, MerkleHash.leaf(EventJson.canonicalBytes(events.get(0))),
                hashes(proven.getList("inclusionProof.hashes", String.class)), root);
    }

    /** Both proof routes publish latency buckets (the 2 ms goal reads off one of them); other routes do not. */
    @Test
    void proofRoutesPublishLatencyBuckets() {
        String auditor = auditor();
        long size = TestLedger.awaitCheckpointCovering(1).size();
        String event = anyEvent(auditor);
        given().auth().oauth2(auditor).get("/api/v1/audit/events/" + event).then().statusCode(200);
        given().auth().oauth2(auditor).queryParam("from", 1).queryParam("to", size)
                .get("/api/v1/audit/proofs/consistency").then().statusCode(200);
        List<String> buckets = given().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_bucket{")).toList();
        for (String route : List.of(ProofLatency.INCLUSION_ROUTE, ProofLatency.CONSISTENCY_ROUTE)) {
            assertThat(buckets).filteredOn(l -> l.contains("uri=\"" + route + "\"") && l.contains("status=\"200\""))
                    .extracting(l -> l.substring(l.indexOf("le=\"") + 4, l.indexOf('"', l.indexOf("le=\"") + 4)))
                    .containsExactly("5.0E-4", "0.001", "0.002", "0.005", "0.01", "0.025", "0.1", "+Inf");
        }
        assertThat(buckets).noneMatch(l -> l.contains("uri=\"/api/v1/audit/events\""));
    }

    @Test
    void badInputIsAProblemNotAServerError() {
        String auditor = auditor();
        long size = TestLedger.awaitCheckpointCovering(1).size();
        String event = anyEvent(auditor);
        long seq = entry(event).getLong("seq");
        problem(given().auth().oauth2(auditor).queryParam("from", 2).queryParam("to", 1).get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).queryParam("from", 0).queryParam("to", 1).get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).queryParam("from", "one").get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).queryParam("from", "-3").get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).queryParam("from", 1).queryParam("to", Long.MAX_VALUE).get("/api/v1/audit/proofs/consistency"), 404);
        problem(given().auth().oauth2(auditor).queryParam("from", 1).queryParam("to", "99999999999999999999").get("/api/v1/audit/proofs/consistency"), 400);
        problem(given().auth().oauth2(auditor).get("/api/v1/audit/events/not-a-uuid"), 400);
        problem(given().auth().oauth2(auditor).get("/api/v1/audit/events/" + UUID.randomUUID()), 404);
        problem(given().auth().oauth2(auditor).queryParam("tree_size", "big").get("/api/v1/audit/events/" + event), 400);
        problem(given().auth().oauth2(auditor).queryParam("tree_size", 0).get("/api/v1/audit/events/" + event), 400);
        if (seq > 1) {
            problem(given().auth().oauth2(auditor).queryParam("tree_size", seq - 1).get("/api/v1/audit/events/" + event), 400);
        }
        problem(given().auth().oauth2(auditor).queryParam("tree_size", size + 1_000_000).get("/api/v1/audit/events/" + event), 404);
    }

    @Test
    void readsNeedAnAuditRole() {
        for (String path : List.of("/api/v1/audit/checkpoints/latest", "/api/v1/audit/keys",
                "/api/v1/audit/proofs/consistency?from=1&to=1", "/api/v1/audit/events/" + UUID.randomUUID())) {
            given().get(path).then().statusCode(401);
            given().auth().oauth2(KeycloakResource.tokenFor("requester")).get(path).then().statusCode(403);
        }
    }

    /** The id of an event in the ledger (a checkpoint covers at least one). */
    private static String anyEvent(String auditor) {
        return given().auth().oauth2(auditor).queryParam("limit", 1).get("/api/v1/audit/events")
                .then().statusCode(200).extract().path("items[0].event.event_id");
    }

    private static void problem(io.restassured.response.Response response, int status) {
        response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
    }

    /** Waits until the event is in the ledger. */
    private static JsonPath entry(String eventId) {
        JsonPath[] found = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var r = given().auth().oauth2(auditor()).get("/api/v1/audit/events/" + eventId);
            if (r.statusCode() == 200) {
                found[0] = r.jsonPath();
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** Waits until the entry's proof is against a checkpoint of at least {@code size}. */
    private static JsonPath provenEntry(String eventId, long size) {
        JsonPath[] found = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath p = entry(eventId);
            found[0] = p;
            return p.get("inclusionProof") != null && p.getLong("inclusionProof.treeSize") >= size;
        });
        return found[0];
    }

    private static String json(JsonPath path, String field) throws Exception {
        return EventJson.mapper().writeValueAsString(path.getMap(field));
    }

    private static List<byte[]> hashes(List<String> base64) {
        return base64.stream().map(h -> Base64.getDecoder().decode(h)).toList();
    }

    private static String auditor() {
        return KeycloakResource.tokenFor("auditor");
    }
}
