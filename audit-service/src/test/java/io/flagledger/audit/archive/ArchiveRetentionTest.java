package io.flagledger.audit.archive;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flagledger.audit.TaggedEvents;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.digest.DailyDigester;
import io.flagledger.audit.retention.PayloadPurger;
import io.flagledger.audit.selfcheck.SelfCheck;
import io.flagledger.audit.selfcheck.SelfCheckReport;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * Events go through Kafka into the ledger, are sealed into S3 (S3Mock) with Object Lock, and leave the hot store
 * only once archived and unheld; proofs and the self-check keep working on purged rows.
 */
@QuarkusTest
class ArchiveRetentionTest {

    @Inject
    Pool pool;

    @Inject
    PayloadPurger purger;

    @Inject
    DailyDigester digester;

    @Inject
    CheckpointKeys keys;

    @Inject
    ArchiveStore store;

    @Inject
    SelfCheck selfCheck;

    @Test
    void segmentsAreSealedAsLockedVerifiableObjects() {
        String tag = "arch-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TaggedEvents.publish(tag, tag, 5);
        long maxSeq = seqOf(events.get(4));
        Row segment = awaitSegmentCovering(maxSeq);
        String key = segment.getString("object_key");
        assertThat(segment.getString("store")).isEqualTo("s3");
        assertThat(key).isEqualTo(SegmentCodec.key(segment.getLong("first_seq"), segment.getLong("last_seq")));

        try (S3Client s3 = S3MockResource.client()) {
            byte[] object = s3.getObjectAsBytes(b -> b.bucket(S3MockResource.BUCKET).key(key)).asByteArray();
            assertThat(Hashing.sha256(object)).isEqualTo(segment.getBuffer("sha256").getBytes());
            // Verifiable on its own with only the checkpoint key: leaves re-hashed, root recomputed, note checked.
            SegmentCodec.Verified verified = SegmentCodec.verify(object, keys.verifier());
            assertThat(verified.lastSeq()).isEqualTo(segment.getLong("checkpoint_size"));
            assertThat(verified.entries()).isEqualTo((int) (verified.lastSeq() - verified.firstSeq() + 1));

            var retention = s3.getObjectRetention(b -> b.bucket(S3MockResource.BUCKET).key(key)).retention();
            assertThat(retention.mode()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
            assertThat(retention.retainUntilDate()).isAfter(Instant.now().plus(Duration.ofDays(2500)));
        }

        // Write-once: the same key with other content is refused, the same content accepted (a retried seal).
        byte[] original = store.read(key);
        assertThatThrownBy(() -> store.putOnce(key, "forged".getBytes(), Instant.now().plusSeconds(60)))
                .isInstanceOf(ArchiveConflictException.class);
        store.putOnce(key, original, Instant.now().plusSeconds(60));
        assertThat(store.read(key)).isEqualTo(original);
    }

    @Test
    void aBucketWithoutObjectLockIsNeverTrusted() {
        try (S3Client s3 = S3MockResource.client()) {
            s3.createBucket(b -> b.bucket("no-lock-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase()));
            String bucket = s3.listBuckets().buckets().stream().map(b -> b.name()).filter(n -> n.startsWith("no-lock-"))
                    .findFirst().orElseThrow();
            S3Archive archive = new S3Archive(s3, bucket, "COMPLIANCE");
            assertThatThrownBy(() -> archive.putOnce("segments/x.jsonl.gz", new byte[] {1, 2, 3}, Instant.now().plusSeconds(3600)))
                    .isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void payloadsLeaveTheHotStoreOnlyWhenArchivedAndNotHeld() throws Exception {
        String tag = "ret-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TaggedEvents.publish(tag, tag, 6);
        long minSeq = seqOf(events.get(0));
        long maxSeq = seqOf(events.get(5));
        AuditEvent held = events.get(2);
        String admin = KeycloakResource.tokenFor("admin");

        String holdId = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("reason", "litigation 42", "correlationId", held.correlationId()))
                .post("/api/v1/audit/legal-holds").then().statusCode(201).extract().path("id");

        awaitSegmentCovering(maxSeq);
        // The purge never runs ahead of a SIEM sink: wait until both forwarded these events.
        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from siem_cursor where last_seq >= " + maxSeq) == 2);

        long purged = purger.purge(Instant.now().plusSeconds(5), minSeq, maxSeq);
        assertThat(purged).isGreaterThanOrEqualTo(5);
        for (AuditEvent e : events) {
            boolean present = payloadPresent(e);
            assertThat(present).as("payload of %s", e.correlationId()).isEqualTo(e == held);
        }

        // The database itself refuses the shortcuts: a plain UPDATE, or purging a held or unarchived row.
        long heldSeq = seqOf(held);
        assertThatThrownBy(() -> pool.query("update ledger_entry set canonical_json = null where seq = " + heldSeq).execute()
                .await().indefinitely()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> pool.withTransaction(tx -> tx.query("select set_config('flagledger.payload_purge', 'on', true)")
                .execute().chain(() -> tx.query("update ledger_entry set canonical_json = null where seq = " + heldSeq).execute()))
                .await().indefinitely()).hasMessageContaining("under legal hold");
        assertThatThrownBy(() -> pool.withTransaction(tx -> tx.query("select set_config('flagledger.payload_purge', 'on', true)")
                .execute().chain(() -> tx.query("update ledger_entry set action = 'x', canonical_json = null where seq = " + heldSeq).execute()))
                .await().indefinitely()).hasMessageContaining("only a payload purge");
        assertThatThrownBy(() -> pool.withTransaction(tx -> tx.query("select set_config('flagledger.payload_purge', 'on', true)")
                .execute().chain(() -> tx.query("update ledger_entry set nodes = coalesce(nodes, '') || leaf_hash, "
                        + "canonical_json = null where seq = " + heldSeq).execute()))
                .await().indefinitely()).hasMessageContaining("only a payload purge");
        long beyond = count("select coalesce(max(seq), 0) from ledger_entry") + 1;
        assertThat(count("select purge_ledger_payloads(now() + interval '1 day', " + beyond + ", " + (beyond + 100) + ", 100)")).isZero();

        // A purged entry is still proven: its inclusion proof verifies against the signed checkpoint.
        AuditEvent purgedEvent = events.get(0);
        JsonPath entry = given().auth().oauth2(KeycloakResource.tokenFor("auditor")).get("/api/v1/audit/events/" + purgedEvent.eventId())
                .then().statusCode(200).extract().jsonPath();
        assertThat(entry.getMap("event")).isNull();
        Checkpoint checkpoint = Checkpoint.parse(keys.verifier().open(entry.getString("inclusionProof.checkpoint")).text());
        List<byte[]> hashes = new ArrayList<>();
        entry.getList("inclusionProof.hashes", String.class).forEach(h -> hashes.add(Base64.getDecoder().decode(h)));
        ProofVerifier.verifyInclusion(entry.getLong("inclusionProof.leafIndex"), checkpoint.size(),
                MerkleHash.leaf(EventJson.canonicalBytes(purgedEvent)), hashes, checkpoint.rootHash());

        SelfCheckReport report = selfCheck.run(pool).await().indefinitely();
        assertThat(report.problems()).isEmpty();

        // Lifting the hold lets the held payload go too.
        given().auth().oauth2(admin).queryParam("reason", "case closed").delete("/api/v1/audit/legal-holds/" + holdId)
                .then().statusCode(200);
        assertThat(purger.purge(Instant.now().plusSeconds(5), heldSeq, heldSeq)).isEqualTo(1);
        assertThat(payloadPresent(held)).isFalse();

        // Placing and lifting are signed events in the ledger, by audit-service's own key.
        var config = ConfigProvider.getConfig();
        EventVerifier verifier = new EventVerifier(Map.of(config.getValue("flagledger.signing.key-id", String.class),
                Ed25519Keys.publicKeyOf(Ed25519Keys.decodePrivate(config.getValue("flagledger.signing.private-key", String.class)))));
        List<String> actions = new ArrayList<>();
        for (Row r : pool.query("select canonical_json, source_topic from ledger_entry where action like 'legal_hold.%' "
                + "and canonical_json like '%" + holdId + "%' order by seq").execute().await().indefinitely()) {
            AuditEvent e = EventJson.parse(r.getString("canonical_json"));
            verifier.verify(e);
            assertThat(e.sourceService()).isEqualTo("audit-service");
            assertThat(e.actorRoles()).contains("audit-admin");
            assertThat(r.getString("source_topic")).isEqualTo(io.flagledger.audit.ledger.SourcePosition.LOCAL_TOPIC);
            actions.add(e.action());
        }
        assertThat(actions).containsExactly("legal_hold.placed", "legal_hold.lifted");
    }

    @Test
    void everyCriterionOfAHoldMustMatch() {
        String flag = "crit-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TaggedEvents.publish(flag, flag, 2);
        long seq = seqOf(events.get(1));
        String admin = KeycloakResource.tokenFor("admin");
        Instant before = events.get(0).timestamp().minusSeconds(3600);
        Map<Map<String, String>, Boolean> holds = Map.of(
                Map.of("project", "shop", "flag", flag), true,
                Map.of("flag", flag, "actor", "alice-subject"), true,
                Map.of("flag", flag, "from", before.toString(), "to", Instant.now().plusSeconds(3600).toString()), true,
                Map.of("flag", flag, "to", before.toString()), false,
                Map.of("flag", flag, "actor", "mallory"), false,
                Map.of("project", "other", "flag", flag), false,
                Map.of("correlationId", flag + "-1"), true);
        for (var hold : holds.entrySet()) {
            var body = new java.util.HashMap<String, String>(hold.getKey());
            body.put("reason", "criteria test");
            String id = given().auth().oauth2(admin).contentType("application/json").body(body).post("/api/v1/audit/legal-holds")
                    .then().statusCode(201).extract().path("id");
            try {
                assertThat(count("select count(*) from ledger_entry e where seq = " + seq + " and ledger_entry_held(e)") == 1)
                        .as("hold %s", hold.getKey()).isEqualTo(hold.getValue());
            } finally {
                given().auth().oauth2(admin).queryParam("reason", "criteria test done").delete("/api/v1/audit/legal-holds/" + id)
                        .then().statusCode(200);
            }
        }
        assertThat(count("select count(*) from ledger_entry e where seq = " + seq + " and ledger_entry_held(e)")).isZero();
    }

    @Test
    void dailyDigestIsSignedAndArchived() throws Exception {
        String tag = "dig-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TaggedEvents.publish(tag, tag, 2);
        long seq = seqOf(events.get(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select coalesce(max(tree_size), 0) from checkpoint") >= seq);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        DailyDigester.Digest digest = digester.digest(today).orElseThrow();
        assertThat(digest.counts().get("flag-api")).isGreaterThanOrEqualTo(2L);

        try (S3Client s3 = S3MockResource.client()) {
            byte[] object = s3.getObjectAsBytes(b -> b.bucket(S3MockResource.BUCKET).key("digests/" + today + ".json")).asByteArray();
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(object);
            String text = keys.verifier().open(json.path("digest").asText()).text();
            assertThat(text).startsWith(ConfigProvider.getConfig().getValue("flagledger.checkpoint.origin", String.class) + "\n"
                    + "daily-digest " + today + "\ncheckpoint " + digest.checkpointSize() + " ");
            assertThat(text).contains("\nsource flag-api " + digest.counts().get("flag-api") + "\n");
            Checkpoint sealed = Checkpoint.parse(keys.verifier().open(json.path("checkpoint").asText()).text());
            assertThat(text).contains("checkpoint " + sealed.size() + " " + sealed.rootBase64());
            Row row = pool.preparedQuery("select sha256, object_key from daily_digest where day = $1").execute(Tuple.of(today))
                    .await().indefinitely().iterator().next();
            assertThat(row.getBuffer("sha256").getBytes()).isEqualTo(Hashing.sha256(object));
        }
        // Signed once: running it again keeps the first digest.
        assertThat(digester.digest(today).orElseThrow().note()).isNotNull();
        assertThat(count("select count(*) from daily_digest where day = current_date")).isEqualTo(1);
    }

    private Row awaitSegmentCovering(long seq) {
        Row[] found = new Row[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            var rows = pool.preparedQuery("select * from archive_segment where $1 between first_seq and last_seq")
                    .execute(Tuple.of(seq)).await().indefinitely();
            found[0] = rows.size() == 0 ? null : rows.iterator().next();
            return found[0] != null;
        });
        return found[0];
    }

    private long seqOf(AuditEvent e) {
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry where event_id = '" + e.eventId() + "'") == 1);
        return count("select seq from ledger_entry where event_id = '" + e.eventId() + "'");
    }

    private boolean payloadPresent(AuditEvent e) {
        return count("select count(*) from ledger_entry where canonical_json is not null and event_id = '" + e.eventId() + "'") == 1;
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }
}
