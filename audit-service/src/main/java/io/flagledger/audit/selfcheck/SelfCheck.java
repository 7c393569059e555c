package io.flagledger.audit.selfcheck;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.ingest.SecurityAlerts;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.ledger.EntryColumns;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.note.NoteVerificationException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Periodically proves the ledger to itself: every checkpoint's signature and columns, every row's payload
 * against its leaf hash and its query columns against its payload, sequence density, and the roots recomputed from leaves, from payloads and from the
 * stored tree nodes against the signed roots. Any difference is logged as critical and counted in
 * {@code flagledger_audit_selfcheck_failures_total}, and raised as a signed {@code audit.selfcheck_failed} alert on
 * {@code security.events}.
 */
@ApplicationScoped
public class SelfCheck {

    private static final Logger LOG = Logger.getLogger(SelfCheck.class);
    private static final int BATCH = 5000;

    private static final String WRONG_NODES = """
            select p.level, p.idx from merkle_node p
            join ledger_entry l on l.seq = 2 * p.idx + 1
            join ledger_entry r on r.seq = 2 * p.idx + 2
            where p.level = 1 and p.hash <> sha256('\\x01'::bytea || l.leaf_hash || r.leaf_hash)
            union all
            select p.level, p.idx from merkle_node p
            join merkle_node l on l.level = p.level - 1 and l.idx = 2 * p.idx
            join merkle_node r on r.level = p.level - 1 and r.idx = 2 * p.idx + 1
            where p.level > 1 and p.hash <> sha256('\\x01'::bytea || l.hash || r.hash)
            limit 20""";

    @Inject
    Pool pool;

    @Inject
    MerkleStore tree;

    @Inject
    CheckpointStore checkpointStore;

    @Inject
    CheckpointKeys keys;

    @Inject
    MeterRegistry registry;

    @Inject
    SecurityAlerts alerts;

    private final AtomicLong healthy = new AtomicLong(1);
    private final AtomicLong checkedSize = new AtomicLong();
    private volatile SelfCheckReport last;
    /** The problems last alerted on: a ledger that stays damaged raises one alert, not one per run. */
    private volatile List<String> alerted = List.of();

    @PostConstruct
    void metrics() {
        registry.gauge("flagledger.audit.selfcheck.healthy", healthy);
        registry.gauge("flagledger.audit.selfcheck.checked.size", checkedSize);
        registry.counter("flagledger.audit.selfcheck.failures");
    }

    @Scheduled(every = "${flagledger.selfcheck.interval:1h}", delayed = "${flagledger.selfcheck.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return pool.withConnection(this::run).onFailure()
                .invoke(e -> LOG.errorf(e, "Ledger self-check could not run"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    public SelfCheckReport last() {
        return last;
    }

    /** Runs on the given client, e.g. a transaction, so tests can check a tampered state they later roll back. */
    public Uni<SelfCheckReport> run(SqlClient client) {
        List<String> problems = new ArrayList<>();
        return checkpointStore.all(client).chain(all -> {
            List<StoredCheckpoint> trusted = verified(all, problems);
            LedgerWalk walk = new LedgerWalk(trusted, problems);
            return walk(client, walk, 0).chain(() -> storedNodes(client, walk.size(), trusted, problems)).map(v -> {
                walk.finish();
                return new SelfCheckReport(problems.isEmpty(), walk.size(), all.size(), List.copyOf(problems), Instant.now());
            });
        }).invoke(this::record);
    }

    /** Checkpoints whose note verifies and matches its own columns; the others are problems. */
    private List<StoredCheckpoint> verified(List<StoredCheckpoint> all, List<String> problems) {
        List<StoredCheckpoint> ok = new ArrayList<>();
        for (StoredCheckpoint c : all) {
            try {
                Checkpoint signed = Checkpoint.parse(keys.verifier().open(c.note()).text());
                if (signed.size() != c.treeSize() || !MessageDigest.isEqual(signed.rootHash(), c.rootHash())
                        || !signed.origin().equals(c.origin())) {
                    problems.add("checkpoint of size " + c.treeSize() + ": its columns differ from its signed note "
                            + "(size " + signed.size() + ", root " + signed.rootBase64() + "): the row was forged");
                } else {
                    ok.add(c);
                }
            } catch (NoteVerificationException | IllegalArgumentException e) {
                problems.add("checkpoint of size " + c.treeSize() + ": its signed note does not verify ("
                        + e.getMessage() + "): the row was forged");
            }
        }
        return ok;
    }

    private Uni<Void> walk(SqlClient client, LedgerWalk walk, long afterSeq) {
        return client.preparedQuery("select seq, canonical_json, leaf_hash, " + EntryColumns.COLUMNS
                        + " from ledger_entry where seq > $1 order by seq limit $2")
                .execute(Tuple.of(afterSeq, BATCH))
                .emitOn(Infrastructure.getDefaultWorkerPool()) // parsing every payload is too much for the event loop
                .chain(rows -> {
                    for (Row r : rows) {
                        walk.row(r.getLong("seq"), r.getString("canonical_json"), r.getBuffer("leaf_hash").getBytes(),
                                EntryColumns.of(r));
                    }
                    return rows.size() < BATCH ? Uni.createFrom().voidItem() : walk(client, walk, walk.lastSeq());
                });
    }

    /**
     * Proofs are built from merkle_node, so every stored node must be the hash of its two children (checked in
     * the database, one pass) and none may be missing; with the leaves checked against the signed roots, that
     * makes every node right. The signed root must also come out of the stored nodes.
     */
    private Uni<Void> storedNodes(SqlClient client, long ledgerSize, List<StoredCheckpoint> trusted, List<String> problems) {
        long expected = 0;
        for (long n = ledgerSize >>> 1; n > 0; n >>>= 1) {
            expected += n;
        }
        long expectedNodes = expected;
        Uni<Void> links = client.query(WRONG_NODES).execute().invoke(rows -> rows.forEach(r -> problems.add(
                "Merkle node (" + r.getInteger("level") + "," + r.getLong("idx") + ") is not the hash of its children: "
                        + "the tree store was edited"))).replaceWithVoid();
        Uni<Void> count = client.preparedQuery("select count(*) from merkle_node where (idx + 1) * (1::bigint << level) <= $1")
                .execute(Tuple.of(ledgerSize)).invoke(rows -> {
                    long stored = rows.iterator().next().getLong(0);
                    if (stored != expectedNodes) {
                        problems.add("the tree store holds " + stored + " nodes for " + ledgerSize + " entries, expected "
                                + expectedNodes + ": nodes were deleted or added");
                    }
                }).replaceWithVoid();
        if (trusted.isEmpty()) {
            return links.chain(() -> count);
        }
        StoredCheckpoint latest = trusted.get(trusted.size() - 1);
        return links.chain(() -> count).chain(() -> tree.root(client, latest.treeSize())).invoke(root -> {
            if (!MessageDigest.isEqual(root, latest.rootHash())) {
                problems.add("checkpoint of size " + latest.treeSize() + ": the stored Merkle nodes give a different root");
            }
        }).onFailure().recoverWithUni(e -> {
            problems.add("checkpoint of size " + latest.treeSize() + ": stored Merkle nodes are missing (" + e.getMessage() + ")");
            return Uni.createFrom().nullItem();
        }).replaceWithVoid();
    }

    private void record(SelfCheckReport report) {
        last = report;
        checkedSize.set(report.ledgerSize());
        healthy.set(report.healthy() ? 1 : 0);
        registry.counter("flagledger.audit.selfcheck.runs").increment();
        if (!report.healthy()) {
            registry.counter("flagledger.audit.selfcheck.failures").increment();
            LOG.fatalf("CRITICAL: ledger self-check failed, the audit ledger may have been tampered with: %s",
                    String.join("; ", report.problems()));
            if (!report.problems().equals(alerted)) {
                alerted = report.problems();
                ArrayNode problems = JsonNodeFactory.instance.arrayNode();
                report.problems().forEach(problems::add);
                alerts.raise("audit.selfcheck_failed", "selfcheck-" + report.checkedAt().toEpochMilli(),
                        "the ledger self-check found " + report.problems().size() + " problem(s); the audit ledger may "
                                + "have been tampered with", JsonNodeFactory.instance.objectNode()
                                .put("ledger_size", report.ledgerSize()).set("problems", problems));
            }
        } else {
            alerted = List.of();
            LOG.debugf("Ledger self-check passed: %d entries, %d checkpoints", report.ledgerSize(), report.checkpointsChecked());
        }
    }
}
