package io.flagledger.audit.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.audit.TestLedger;
import io.flagledger.common.actor.Actor;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.verifier.BundleVerifier;
import io.flagledger.verifier.Report;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tampering of TamperDetectionTest (a superuser with the append-only triggers disabled), exported by the
 * service as it would be after the fact, and caught by the offline verifier holding only the checkpoint key.
 * Each case runs in a transaction that is rolled back.
 */
@QuarkusTest
class ExportTamperTest {

    private static final Actor AUDITOR = new Actor("auditor-subject", ActorType.USER, "Auditor", null, List.of("audit-exporter"));

    @Inject
    Pool pool;

    @Inject
    Exporter exporter;

    @TempDir
    Path dir;

    private long size;
    private String flag;

    @BeforeEach
    void ledgerWithACheckpoint() {
        flag = "xtamper-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TestLedger.publishFlagEvents(flag, 6);
        String last = events.get(events.size() - 1).eventId();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry where event_id = '" + last + "'") == 1);
        size = TestLedger.awaitCheckpointCovering(count("select max(seq) from ledger_entry")).size();
    }

    @Test
    void editedPayloadIsNamedBySequenceNumber() throws IOException {
        long seq = size - 2;
        Report report = exportTampered("ledger_entry",
                "update ledger_entry set canonical_json = replace(canonical_json, 'alice-subject', 'mallory') where seq = " + seq);
        assertProblem(report, "seq " + seq, "leaf hash", "the event's bytes were changed");
        assertProblem(report, "seq " + seq, "event signature", "does not match the content");
    }

    @Test
    void deletedRowIsNamed() throws IOException {
        long seq = size - 3;
        Report report = exportTampered("ledger_entry", "delete from ledger_entry where seq = " + seq);
        assertProblem(report, "seq " + seq, "sequence", "is missing from the range 1.." + size);
    }

    @Test
    void swappedRowsBreakTheSignedRoot() throws IOException {
        long a = size - 4;
        long b = size - 1;
        Report report = exportTampered("ledger_entry", """
                update ledger_entry t set canonical_json = s.canonical_json, leaf_hash = s.leaf_hash
                from ledger_entry s where (t.seq = %d and s.seq = %d) or (t.seq = %d and s.seq = %d)""".formatted(a, b, b, a));
        assertThat(report.problems()).noneMatch(p -> p.check().equals("leaf hash") || p.check().equals("event signature"));
        assertThat(report.problems()).anyMatch(p -> p.where().equals("events.jsonl")
                && (p.check().equals("consistency proof") || p.check().equals("tree root")));
    }

    /**
     * A filtered export selects by query columns outside the leaf hash. An entry whose column was edited to match the
     * filter comes with a valid inclusion proof; the verifier re-derives the filter from the signed event and names it.
     */
    @ParameterizedTest
    @CsvSource({"flag, flag_id, forged-flag", "project, project, forged-project", "environment, environment, forged-env",
            "actor, actor_id, someone-else", "actorType, actor_type, service", "action, action, flag.deleted",
            "correlationId, correlation_id, forged-correlation", "source, source_service, approval-service",
            "from, occurred_at, 2998-01-01T00:00:00Z", "to, occurred_at, 1991-01-01T00:00:00Z"})
    void entryWithAnEditedColumnInAFilteredExportIsNamed(String field, String column, String value) throws IOException {
        long seq = count("select min(seq) from ledger_entry where flag_id = '" + flag + "'");
        String forged = switch (field) {
            case "from" -> "2999-01-01T00:00:00Z";
            case "to" -> "1990-01-01T00:00:00Z";
            default -> value;
        };
        Report report = export(new ExportRequest(filter(field, value), null, null, "forensics", "INC-8"),
                "update ledger_entry set " + column + " = '" + forged + "' where seq = " + seq);
        assertThat(report.entries()).as("the edited column put exactly the one entry into the export").isEqualTo(1);
        assertProblem(report, "seq " + seq, "selection", field.equals("from") || field.equals("to")
                ? "the export selected events " + (field.equals("from") ? "from " : "before ") + value
                : "the export selected " + field + " = '" + value + "'");
    }

    @Test
    void untamperedFilteredExportVerifies() throws IOException {
        Path file = Files.createTempFile(dir, "filtered-", ".zip");
        SqlConnection conn = pool.getConnection().await().indefinitely();
        try {
            exporter.build(conn, new ExportRequest(filter("flag", flag), null, null, "forensics", "INC-8"), AUDITOR, null, file);
        } finally {
            conn.close().await().indefinitely();
        }
        Report report = new BundleVerifier(List.of(TestLedger.checkpointKey())).verify(file);
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(6);
    }

    /** The filter {@code flag = <this test's flag>}, plus {@code field = value} unless the field is the flag itself. */
    private ExportRequest.Filter filter(String field, String value) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        f.put("flag", flag);
        f.put(field, value);
        return new ExportRequest.Filter(f.get("project"), f.get("flag"), f.get("environment"), f.get("actor"),
                f.get("actorType"), f.get("action"), f.get("correlationId"), f.get("source"), null, f.get("from"), f.get("to"));
    }

    @Test
    void forgedCheckpointIsRefused() throws IOException {
        NoteSigner attacker = new NoteSigner(TestLedger.checkpointKey().name(), Ed25519Keys.generate().getPrivate());
        String forged = attacker.sign(new Checkpoint(io.flagledger.audit.checkpoint.CheckpointKeyResource.ORIGIN, size,
                MerkleHash.leaf(new byte[] {6})).body());
        Report report = exportTampered("checkpoint", conn -> conn.preparedQuery("update checkpoint set note = $1")
                .execute(Tuple.of(forged)).await().indefinitely());
        assertProblem(report, "checkpoint.txt", "checkpoint signature", "no signature by a trusted key");
    }

    private Report exportTampered(String table, String... statements) throws IOException {
        return exportTampered(table, conn -> {
            for (String sql : statements) {
                conn.query(sql).execute().await().indefinitely();
            }
        });
    }

    private Report exportTampered(String table, java.util.function.Consumer<SqlConnection> tamper) throws IOException {
        return export(table, new ExportRequest(null, 1L, size, "forensics", "INC-7"), tamper);
    }

    private Report export(ExportRequest request, String tamper) throws IOException {
        return export("ledger_entry", request, conn -> conn.query(tamper).execute().await().indefinitely());
    }

    private Report export(String table, ExportRequest request, java.util.function.Consumer<SqlConnection> tamper) throws IOException {
        Path file = Files.createTempFile(dir, "tampered-", ".zip");
        SqlConnection conn = pool.getConnection().await().indefinitely();
        Transaction tx = conn.begin().await().indefinitely();
        try {
            conn.query("alter table " + table + " disable trigger " + table + "_append_only").execute().await().indefinitely();
            tamper.accept(conn);
            exporter.build(conn, request, AUDITOR, null, file);
        } finally {
            tx.rollback().await().indefinitely();
            conn.close().await().indefinitely();
        }
        Report report = new BundleVerifier(List.of(TestLedger.checkpointKey())).verify(file);
        assertThat(report.verified()).as("tampering with %s went unnoticed", table).isFalse();
        return report;
    }

    private static void assertProblem(Report report, String where, String check, String detail) {
        assertThat(report.problems()).as("problems").anyMatch(p -> p.where().equals(where) && p.check().equals(check)
                && p.detail().contains(detail));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }
}
