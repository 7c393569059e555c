package io.flagledger.audit.selfcheck;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.flagledger.audit.TestLedger;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.audit.merkle.TreeTampering;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tampers with the ledger the way a database superuser could (triggers disabled, rows edited, deleted,
 * reordered, checkpoints forged, tree nodes edited) and shows the self-check finds each case. Every tampering
 * happens in a transaction that is rolled back after the check, so the shared test database stays intact.
 */
@QuarkusTest
class TamperDetectionTest {

    @Inject
    Pool pool;

    @Inject
    SelfCheck selfCheck;

    @Inject
    Checkpointer checkpointer;

    @Inject
    MerkleStore store;

    private Checkpoint checkpoint;

    @BeforeEach
    void ledgerWithACheckpoint() {
        List<AuditEvent> events = TestLedger.publishFlagEvents("tamper-" + UUID.randomUUID().toString().substring(0, 8), 6);
        String last = events.get(events.size() - 1).eventId();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry where event_id = '" + last + "'") == 1);
        checkpoint = TestLedger.awaitCheckpointCovering(count("select max(seq) from ledger_entry"));
        assertThat(checkpoint.size()).isGreaterThanOrEqualTo(6);
        SelfCheckReport clean = selfCheck.run(pool).await().indefinitely();
        assertThat(clean.problems()).isEmpty();
        assertThat(clean.healthy()).isTrue();
    }

    @Test
    void editedPayloadIsDetected() {
        long seq = aliceEventAtOrBefore(checkpoint.size() - 2);
        SelfCheckReport report = tampered("ledger_entry",
                "update ledger_entry set canonical_json = replace(canonical_json, 'alice-subject', 'mallory') where seq = " + seq);
        assertDetected(report, "seq " + seq + ": the stored payload does not hash to the stored leaf hash");
        assertDetected(report, "the re-hashed payloads give root");
    }

    @Test
    void payloadEditedWithARecomputedLeafHashIsDetected() {
        long seq = aliceEventAtOrBefore(checkpoint.size() - 1);
        SelfCheckReport report = tampered("ledger_entry",
                "update ledger_entry set canonical_json = replace(canonical_json, 'alice-subject', 'mallory') where seq = " + seq,
                "update ledger_entry set leaf_hash = sha256('\\x00'::bytea || convert_to(canonical_json, 'UTF8')) where seq = " + seq);
        assertThat(report.problems()).noneMatch(p -> p.contains("does not hash to the stored leaf hash"));
        assertDetected(report, "the stored leaf hashes give root");
        assertDetected(report, "differs from the hash of the stored leaves under it");
    }

    /**
     * The query columns are outside the leaf hash: a superuser can edit them without breaking any root. Each one must
     * still be reported, naming the row and the column, because searches and exports select by them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"event_id = gen_random_uuid()", "occurred_at = occurred_at - interval '1 day'",
            "source_service = 'approval-service'", "action = 'flag.deleted'", "actor_id = 'someone-else'",
            "actor_type = 'service'", "project = 'other-project'", "flag_id = null", "environment = 'staging'",
            "correlation_id = 'forged'", "channel = 'console'"})
    void editedQueryColumnIsDetected(String assignment) {
        long seq = checkpoint.size() - 2;
        String column = assignment.substring(0, assignment.indexOf(' '));
        SelfCheckReport report = tampered("ledger_entry", "update ledger_entry set " + assignment + " where seq = " + seq);
        assertDetected(report, "seq " + seq + ": column " + column + " differs from the signed event");
        // The hashes are untouched: the column check is what finds it, and it names only that column.
        assertThat(report.problems()).hasSize(1);
    }

    @Test
    void deletedRowIsDetected() {
        long seq = checkpoint.size() - 3;
        SelfCheckReport report = tampered("ledger_entry", "delete from ledger_entry where seq = " + seq);
        assertDetected(report, "sequence numbers " + seq + ".." + seq + " are missing");
        assertDetected(report, "the stored leaf hashes give root");
    }

    @Test
    void deletedNewestRowsAreDetected() {
        SelfCheckReport report = tampered("ledger_entry", "delete from ledger_entry where seq >= " + checkpoint.size());
        assertDetected(report, "checkpoint of size " + checkpoint.size() + " was signed but the ledger ends at");
    }

    @Test
    void swappedRowsAreDetected() {
        long a = checkpoint.size() - 4;
        long b = checkpoint.size() - 1;
        SelfCheckReport report = tampered("ledger_entry", """
                update ledger_entry t set canonical_json = s.canonical_json, leaf_hash = s.leaf_hash
                from ledger_entry s where (t.seq = %d and s.seq = %d) or (t.seq = %d and s.seq = %d)""".formatted(a, b, b, a));
        // Each row still hashes to its own leaf hash: only the order betrays the swap.
        assertThat(report.problems()).noneMatch(p -> p.contains("does not hash to the stored leaf hash"));
        assertDetected(report, "the stored leaf hashes give root");
        assertDetected(report, "the re-hashed payloads give root");
    }

    @Test
    void forgedCheckpointRootIsDetected() {
        SelfCheckReport report = tampered("checkpoint", "update checkpoint set root_hash = sha256(root_hash) where tree_size = "
                + checkpoint.size());
        assertDetected(report, "checkpoint of size " + checkpoint.size() + ": its columns differ from its signed note");
    }

    @Test
    void checkpointSignedByAnUnknownKeyIsDetected() {
        NoteSigner attacker = new NoteSigner(checkpoint.origin(), Ed25519Keys.generate().getPrivate());
        Checkpoint forged = new Checkpoint(checkpoint.origin(), checkpoint.size(), MerkleHash.leaf(new byte[] {6}));
        SelfCheckReport report = tampered("checkpoint", (SqlConnection conn) -> conn.preparedQuery(
                        "update checkpoint set note = $1, root_hash = $2 where tree_size = $3")
                .execute(Tuple.of(attacker.sign(forged.body()), io.vertx.core.buffer.Buffer.buffer(forged.rootHash()),
                        checkpoint.size())).await().indefinitely());
        assertDetected(report, "checkpoint of size " + checkpoint.size() + ": its signed note does not verify");
        assertDetected(report, "no signature by a trusted key");
    }

    @Test
    void editedTreeNodeIsDetected() {
        SelfCheckReport report = tampered("ledger_entry", TreeTampering.editNode(new NodeId(1, 0)));
        assertDetected(report, "Merkle node (1,0) differs from the hash of the stored leaves under it");
    }

    @Test
    void deletedTreeNodeIsDetected() {
        SelfCheckReport report = tampered("ledger_entry",
                "alter table ledger_entry drop constraint ledger_entry_nodes", "update ledger_entry set nodes = null where seq = 4");
        assertDetected(report, "Merkle node (1,1) is missing from the tree store");
    }

    @Test
    void failuresAreCountedAndTheScheduledCheckRuns() {
        tampered("ledger_entry", "delete from ledger_entry where seq = 1");
        String auditor = KeycloakResource.tokenFor("auditor");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("flagledger_audit_selfcheck_failures_total"))
                .body(containsString("flagledger_audit_selfcheck_runs_total")));
        String metrics = given().get("/q/metrics").asString();
        double failures = metrics.lines().filter(l -> l.startsWith("flagledger_audit_selfcheck_failures_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(failures).isGreaterThanOrEqualTo(1);
        // The failure is also a signed alert on security.events, which audit-service ingests into the ledger.
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry "
                + "where action = 'audit.selfcheck_failed' and canonical_json like '%sequence numbers 1..1 are missing%'") >= 1);
        // After the rollback the ledger is whole again, and the scheduled run reports it healthy.
        await().atMost(Duration.ofSeconds(30)).until(() -> selfCheck.last() != null && selfCheck.last().healthy()
                && selfCheck.last().checkedAt().isAfter(java.time.Instant.now().minusSeconds(10)));
        given().auth().oauth2(auditor).post("/api/v1/audit/selfcheck").then().statusCode(403);
    }

    @Test
    void noCheckpointIsSignedOverATamperedTree() {
        // The tree grows by one (forged) entry, so a checkpoint is due; but the stored nodes no longer give the
        // last signed root, so the checkpointer must refuse instead of vouching for them.
        Throwable refused = inTamperedTransaction("ledger_entry", conn -> {
            conn.query(TreeTampering.EDIT_ALL_NODES).execute().await().indefinitely();
            // The forger, as the owner, may drop the constraint that the forged entry's nodes would have to meet.
            conn.query("alter table ledger_entry drop constraint ledger_entry_nodes").execute().await().indefinitely();
            conn.query("""
                    insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                        source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                        project, flag_id, environment, correlation_id, nodes)
                    select seq + 1, gen_random_uuid(), canonical_json, leaf_hash, received_at, source_topic,
                        source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                        project, flag_id, environment, correlation_id, null
                    from ledger_entry order by seq desc limit 1""").execute().await().indefinitely();
            // Even with the last checkpoint's root column forged to match, the signed note still tells the truth.
            conn.query("alter table checkpoint disable trigger checkpoint_append_only").execute().await().indefinitely();
            long latest = conn.query("select max(tree_size) from checkpoint").execute().await().indefinitely()
                    .iterator().next().getLong(0);
            byte[] forgedRoot = store.root(conn, latest).await().indefinitely();
            conn.preparedQuery("update checkpoint set root_hash = $1 where tree_size = $2")
                    .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(forgedRoot), latest)).await().indefinitely();
        }, conn -> {
            try {
                checkpointer.checkpointOn(conn).await().indefinitely();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(refused).isNotNull().hasMessageContaining("inconsistent with checkpoint");
    }

    /**
     * The newest entry at or before {@code seq} that this test's events wrote (they name alice): the ledger's last
     * entries may be audit-service's own events (alerts of an earlier test's self-check), which the edit would miss.
     */
    private long aliceEventAtOrBefore(long seq) {
        return count("select max(seq) from ledger_entry where seq <= " + seq + " and canonical_json like '%alice-subject%'");
    }

    private SelfCheckReport tampered(String table, String... statements) {
        return tampered(table, conn -> {
            for (String sql : statements) {
                conn.query(sql).execute().await().indefinitely();
            }
        });
    }

    private SelfCheckReport tampered(String table, Consumer<SqlConnection> tamper) {
        SelfCheckReport report = inTamperedTransaction(table, tamper, conn -> selfCheck.run(conn).await().indefinitely());
        assertThat(report.healthy()).as("tampering with %s went unnoticed", table).isFalse();
        return report;
    }

    /** Disables the append-only trigger and tampers inside a transaction, checks, then rolls everything back. */
    private <T> T inTamperedTransaction(String table, Consumer<SqlConnection> tamper, Function<SqlConnection, T> check) {
        SqlConnection conn = pool.getConnection().await().indefinitely();
        Transaction tx = conn.begin().await().indefinitely();
        try {
            conn.query("alter table " + table + " disable trigger " + table + "_append_only").execute().await().indefinitely();
            tamper.accept(conn);
            return check.apply(conn);
        } finally {
            tx.rollback().await().indefinitely();
            conn.close().await().indefinitely();
        }
    }

    private static void assertDetected(SelfCheckReport report, String problem) {
        assertThat(report.problems()).as("problems found").anyMatch(p -> p.contains(problem));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }
}
