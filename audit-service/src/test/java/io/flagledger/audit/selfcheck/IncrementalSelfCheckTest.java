package io.flagledger.audit.selfcheck;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.flagledger.audit.TestLedger;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.ingest.SecurityAlerts;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.audit.merkle.TreeTampering;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental self-check: it resumes from the point the last healthy run recorded, proves that point first, and
 * reads only what came after it; the full scan still reads everything. Each case runs in a transaction that is rolled
 * back, holding selfcheck_point locked so the scheduled runs (every 3 s in tests) cannot record a point of their own
 * in between (their insert waits for the rollback).
 */
@QuarkusTest
class IncrementalSelfCheckTest {

    @Inject
    Pool pool;

    @Inject
    SelfCheck selfCheck;

    @Inject
    MerkleStore store;

    @Inject
    CheckpointStore checkpointStore;

    @Inject
    CheckpointKeys keys;

    @Inject
    MeterRegistry registry;

    @Inject
    SecurityAlerts alerts;

    @Inject
    VerifiedPoints points;

    @Inject
    SelfCheckConfig config;

    private String flag;

    @BeforeEach
    void ledgerWithACheckpoint() {
        flag = "incr-" + UUID.randomUUID().toString().substring(0, 8);
        awaitIngested(TestLedger.publishFlagEvents(flag, 6));
        TestLedger.awaitCheckpointCovering(count("select max(seq) from ledger_entry"));
    }

    @Test
    void tamperingAfterTheVerifiedSizeIsFoundByTheIncrementalRun() {
        inLockedTransaction(conn -> {
            SelfCheckReport full = selfCheck.run(conn, SelfCheck.Scope.FULL, true).await().indefinitely();
            assertThat(full.problems()).isEmpty();
            assertThat(latestPoint(conn)).isEqualTo(full.ledgerSize());
            String later = "incr-" + UUID.randomUUID().toString().substring(0, 8);
            awaitIngested(TestLedger.publishFlagEvents(later, 3));
            long seq = lastSeqOf(conn, later);
            assertThat(seq).isGreaterThan(full.ledgerSize());
            exec(conn, "alter table ledger_entry disable trigger ledger_entry_append_only",
                    "update ledger_entry set canonical_json = replace(canonical_json, 'alice-subject', 'mallory') where seq = " + seq);
            SelfCheckReport report = selfCheck.run(conn, SelfCheck.Scope.INCREMENTAL, true).await().indefinitely();
            assertThat(report.scope()).isEqualTo("incremental");
            assertThat(report.verifiedFrom()).isEqualTo(full.ledgerSize());
            assertThat(report.ledgerSize()).isGreaterThanOrEqualTo(seq);
            assertDetected(report, "seq " + seq + ": the stored payload does not hash to the stored leaf hash");
            // an unhealthy run records nothing: the next one starts from the same point
            assertThat(latestPoint(conn)).isEqualTo(full.ledgerSize());
            return null;
        });
    }

    @Test
    void tamperingBeforeTheVerifiedSizeIsFoundByTheFullScanOnly() {
        inLockedTransaction(conn -> {
            SelfCheckReport full = selfCheck.run(conn, SelfCheck.Scope.FULL, true).await().indefinitely();
            assertThat(full.problems()).isEmpty();
            long seq = lastSeqOf(conn, flag);
            assertThat(seq).isLessThanOrEqualTo(full.ledgerSize());
            exec(conn, "alter table ledger_entry disable trigger ledger_entry_append_only",
                    "update ledger_entry set canonical_json = replace(canonical_json, 'alice-subject', 'mallory') where seq = " + seq);
            // The documented blind spot: an edited payload below the verified size keeps its leaf hash, so neither the
            // starting point nor any root the incremental run computes changes.
            SelfCheckReport incremental = selfCheck.run(conn, SelfCheck.Scope.INCREMENTAL, true).await().indefinitely();
            assertThat(incremental.scope()).isEqualTo("incremental");
            assertThat(incremental.problems()).isEmpty();
            SelfCheckReport again = selfCheck.run(conn, SelfCheck.Scope.FULL, true).await().indefinitely();
            assertDetected(again, "seq " + seq + ": the stored payload does not hash to the stored leaf hash");
            return null;
        });
    }

    /**
     * The stored point is proven before it is trusted; when it fails, the run says so and scans the whole ledger.
     * {@code TOP} is the largest subtree of the verified compact range, {@code CHILD} its left child.
     */
    @ParameterizedTest
    @ValueSource(strings = {"compact range", "root", "subtree root node", "child node", "beyond the ledger"})
    void anEditedStartingPointIsFoundAndTheWholeLedgerIsScanned(String tampering) {
        inLockedTransaction(conn -> {
            SelfCheckReport full = selfCheck.run(conn, SelfCheck.Scope.FULL, true).await().indefinitely();
            assertThat(full.problems()).isEmpty();
            long size = full.ledgerSize();
            NodeId top = CompactRange.nodes(size).get(0);
            assertThat(top.level()).isGreaterThanOrEqualTo(2);
            String expected;
            switch (tampering) {
                case "compact range" -> {
                    exec(conn, "alter table selfcheck_point disable trigger selfcheck_point_append_only",
                            "update selfcheck_point set compact_range = sha256(substring(compact_range from 1 for 32)) "
                                    + "|| substring(compact_range from 33) where id = (select max(id) from selfcheck_point)");
                    expected = "Merkle node " + top + " differs from the subtree root the self-check point recorded at size " + size;
                }
                case "root" -> {
                    exec(conn, "alter table selfcheck_point disable trigger selfcheck_point_append_only",
                            "update selfcheck_point set root_hash = sha256(root_hash) where id = (select max(id) from selfcheck_point)");
                    expected = "its compact range gives root";
                }
                case "subtree root node" -> {
                    exec(conn, "alter table ledger_entry disable trigger ledger_entry_append_only", TreeTampering.editNode(top));
                    expected = "Merkle node " + top + " differs from the subtree root the self-check point recorded at size " + size;
                }
                case "child node" -> {
                    NodeId child = new NodeId(top.level() - 1, 2 * top.index());
                    exec(conn, "alter table ledger_entry disable trigger ledger_entry_append_only", TreeTampering.editNode(child));
                    expected = "Merkle node " + top + " is not the hash of its children";
                }
                default -> {
                    exec(conn, "insert into selfcheck_point (tree_size, root_hash, compact_range, full_scan, verified_at) "
                            + "select tree_size + 1000000, root_hash, compact_range, false, now() from selfcheck_point "
                            + "order by id desc limit 1");
                    expected = "the ledger ends at sequence number";
                }
            }
            SelfCheckReport report = selfCheck.run(conn, SelfCheck.Scope.INCREMENTAL, true).await().indefinitely();
            assertThat(report.healthy()).isFalse();
            assertDetected(report, expected);
            assertDetected(report, "scanned the whole ledger instead");
            assertThat(report.scope()).isEqualTo("full");
            return null;
        });
    }

    /** Nothing but the table carries the point: a new instance (a restarted service) resumes from it, incrementally. */
    @Test
    void aRestartedServiceContinuesFromTheStoredPoint() {
        inLockedTransaction(conn -> {
            SelfCheckReport full = selfCheck.run(conn, SelfCheck.Scope.FULL, true).await().indefinitely();
            assertThat(full.problems()).isEmpty();
            awaitIngested(TestLedger.publishFlagEvents("incr-" + UUID.randomUUID().toString().substring(0, 8), 3));
            SelfCheck restarted = new SelfCheck();
            restarted.pool = pool;
            restarted.tree = store;
            restarted.checkpointStore = checkpointStore;
            restarted.keys = keys;
            restarted.registry = registry;
            restarted.alerts = alerts;
            restarted.points = points;
            restarted.config = config;
            SelfCheck.Scope scope = restarted.scheduledScope(conn).await().indefinitely();
            assertThat(scope).isEqualTo(SelfCheck.Scope.INCREMENTAL);
            SelfCheckReport report = restarted.run(conn, scope, true).await().indefinitely();
            assertThat(report.problems()).isEmpty();
            assertThat(report.scope()).isEqualTo("incremental");
            assertThat(report.verifiedFrom()).isEqualTo(full.ledgerSize());
            assertThat(report.ledgerSize()).isGreaterThanOrEqualTo(full.ledgerSize() + 3);
            assertThat(latestPoint(conn)).isEqualTo(report.ledgerSize());
            // and the next run resumes from there, reading nothing twice
            SelfCheckReport next = restarted.run(conn, SelfCheck.Scope.INCREMENTAL, true).await().indefinitely();
            assertThat(next.verifiedFrom()).isEqualTo(report.ledgerSize());
            return null;
        });
    }

    @Test
    void theEndpointChoosesTheScopeAndRefusesHostileParameters() {
        String admin = KeycloakResource.tokenFor("admin");
        given().auth().oauth2(admin).post("/api/v1/audit/selfcheck").then().statusCode(200)
                .body("scope", equalTo("full")).body("verifiedFrom", equalTo(0));
        given().auth().oauth2(admin).queryParam("scope", "incremental").post("/api/v1/audit/selfcheck").then()
                .statusCode(200).body("scope", equalTo("incremental")).body("healthy", equalTo(true));
        // (an empty value reaches the resource as no value: the default)
        for (String bad : List.of("%00", "FULL", "incremental%1B", "%20full")) {
            given().auth().oauth2(admin).urlEncodingEnabled(false).post("/api/v1/audit/selfcheck?scope=" + bad).then()
                    .log().ifValidationFails().statusCode(400).contentType(containsString("problem+json")).body("detail", containsString("scope"));
        }
        given().auth().oauth2(admin).urlEncodingEnabled(false).post("/api/v1/audit/selfcheck?columns=%00").then()
                .statusCode(400).body("detail", containsString("columns"));
    }

    @Test
    void aRequestedRunIsRefusedWhileAnotherRunsAndAcceptedOnceItEnds() {
        String admin = KeycloakResource.tokenFor("admin");
        // a run that never ends on its own holds the replica's one slot
        io.smallrye.mutiny.subscription.Cancellable held = selfCheck.alone(() -> io.smallrye.mutiny.Uni.createFrom().nothing())
                .subscribe().with(x -> { }, e -> { });
        try {
            given().auth().oauth2(admin).post("/api/v1/audit/selfcheck").then().statusCode(409)
                    .contentType(containsString("problem+json")).body("detail", containsString("already running"));
            // the scheduled run skips instead of queueing a second scan
            assertThat(selfCheck.periodically().await().atMost(Duration.ofSeconds(10))).isNull();
        } finally {
            held.cancel();
        }
        given().auth().oauth2(admin).queryParam("scope", "incremental").post("/api/v1/audit/selfcheck").then().statusCode(200);
    }

    private <T> T inLockedTransaction(Function<SqlConnection, T> body) {
        SqlConnection conn = pool.getConnection().await().indefinitely();
        Transaction tx = conn.begin().await().indefinitely();
        try {
            exec(conn, "lock table selfcheck_point in exclusive mode");
            return body.apply(conn);
        } finally {
            tx.rollback().await().indefinitely();
            conn.close().await().indefinitely();
        }
    }

    private void awaitIngested(List<AuditEvent> events) {
        String last = events.get(events.size() - 1).eventId();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from ledger_entry where event_id = '" + last + "'") == 1);
    }

    private static long lastSeqOf(SqlConnection conn, String flagId) {
        return conn.query("select max(seq) from ledger_entry where flag_id = '" + flagId + "'").execute().await().indefinitely()
                .iterator().next().getLong(0);
    }

    private static long latestPoint(SqlConnection conn) {
        return conn.query("select tree_size from selfcheck_point order by id desc limit 1").execute().await().indefinitely()
                .iterator().next().getLong(0);
    }

    private static void exec(SqlConnection conn, String... statements) {
        for (String sql : statements) {
            conn.query(sql).execute().await().indefinitely();
        }
    }

    private static void assertDetected(SelfCheckReport report, String problem) {
        assertThat(report.problems()).as("problems found").anyMatch(p -> p.contains(problem));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }
}
