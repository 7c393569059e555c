package io.flagledger.audit.selfcheck;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.ingest.SecurityAlerts;
import io.flagledger.audit.ledger.EntryColumns;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.audit.merkle.MissingNodeException;
import io.flagledger.audit.selfcheck.VerifiedPoints.VerifiedPoint;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.flagledger.contract.merkle.ProofVerificationException;
import io.flagledger.contract.merkle.ProofVerifier;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import io.flagledger.common.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * Periodically proves the ledger to itself: every checkpoint's signature and columns, every row's payload
 * against its leaf hash and its query columns against its payload, sequence density, the roots recomputed from
 * leaves and from payloads against the signed roots, and every stored tree node against the node recomputed from the
 * stored leaves. Any difference is logged as critical and counted in {@code flagledger_audit_selfcheck_failures_total},
 * and raised as a signed {@code audit.selfcheck_failed} alert on {@code security.events}.
 *
 * <p>A <b>full</b> run walks the whole ledger. An <b>incremental</b> run (the scheduled default between full scans)
 * resumes from the last healthy run's point (selfcheck_point: size, root, compact range), after proving that point
 * against the stored tree nodes and the latest signed checkpoint at or below it, and verifies only the entries after
 * it; what each kind does and does not detect is in docs/ledger-integrity.md. Both read in bounded batches.
 */
@ApplicationScoped
public class SelfCheck {

    /** How much of the ledger a run reads. */
    public enum Scope {
        /** Every entry, node and checkpoint. */
        FULL,
        /** The entries after the last verified point, from its proven compact range. */
        INCREMENTAL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Logger LOG = Logger.getLogger(SelfCheck.class);
    /** Tree-node findings per run: one damaged region would otherwise fill the report with its descendants. */
    private static final int MAX_NODE_PROBLEMS = 20;

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

    @Inject
    VerifiedPoints points;

    @Inject
    SelfCheckConfig config;

    private final AtomicLong healthy = new AtomicLong(1);
    private final AtomicLong checkedSize = new AtomicLong();
    private final AtomicLong entriesRead = new AtomicLong();
    private volatile SelfCheckReport last;
    /** One run at a time per replica: a full scan reads the whole ledger, and two at once only double that load. */
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Instant runningSince;
    /** The problems last alerted on: a ledger that stays damaged raises one alert, not one per run. */
    private volatile List<String> alerted = List.of();

    @PostConstruct
    void metrics() {
        registry.gauge("flagledger.audit.selfcheck.healthy", healthy);
        registry.gauge("flagledger.audit.selfcheck.checked.size", checkedSize);
        registry.gauge("flagledger.audit.selfcheck.entries.read", entriesRead);
        registry.counter("flagledger.audit.selfcheck.failures");
    }

    @Scheduled(every = "${flagledger.selfcheck.interval:1h}", delayed = "${flagledger.selfcheck.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return alone(() -> pool.withConnection(c -> scheduledScope(c).chain(scope -> run(c, scope, true))))
                .onFailure(Busy.class).invoke(e -> LOG.infof("Scheduled self-check skipped: %s", e.getMessage()))
                .onFailure(Busy.class).recoverWithNull()
                .onFailure().invoke(e -> LOG.errorf(e, "Ledger self-check could not run"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** A run requested now (the endpoint): refused with 409 while another run of this replica is under way. */
    public Uni<SelfCheckReport> requested(Scope scope, boolean columns) {
        return alone(() -> run(pool, scope, columns));
    }

    /** Runs {@code work} unless a run is under way, then fails with {@link Busy}; the slot is freed however it ends. */
    <T> Uni<T> alone(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            if (!running.compareAndSet(false, true)) {
                return Uni.createFrom().failure(new Busy(runningSince));
            }
            runningSince = Instant.now();
            return work.get().onTermination().invoke(() -> running.set(false));
        });
    }

    /** Another self-check of this replica is running. */
    static final class Busy extends ProblemException {
        Busy(Instant since) {
            super(409, "a self-check is already running on this replica (since " + since + "); its report will be "
                    + "in the next run's metrics and log, or ask again when it ends");
        }
    }

    /**
     * Full when there is no healthy full scan within {@code full-scan-interval} (none at all after a first start), or
     * when this process's last run found problems (an incremental run would not look at them again); else incremental.
     * Everything but that last flag comes from the database, so a restart resumes where the last run got to.
     */
    Uni<Scope> scheduledScope(SqlClient client) {
        SelfCheckReport previous = last;
        if (previous != null && !previous.healthy()) {
            return Uni.createFrom().item(Scope.FULL);
        }
        return points.lastFullScan(client).map(at -> at.isEmpty()
                || at.get().toInstant().plus(config.fullScanInterval()).isBefore(Instant.now()) ? Scope.FULL : Scope.INCREMENTAL);
    }

    public SelfCheckReport last() {
        return last;
    }

    /** A full run on the given client, e.g. a transaction, so tests can check a tampered state they later roll back. */
    public Uni<SelfCheckReport> run(SqlClient client) {
        return run(client, Scope.FULL, true);
    }

    /**
     * One run. A healthy run with {@code columns} records the size, root and compact range it verified, where the next
     * incremental run starts; without {@code columns} (Merkle part only: payloads, leaf hashes, nodes, checkpoints)
     * nothing is recorded, as the run did not check everything an incremental run will take as verified.
     */
    public Uni<SelfCheckReport> run(SqlClient client, Scope scope, boolean columns) {
        if (client instanceof Pool p) { // one connection: the batches are read in order on it
            return p.withConnection(c -> run(c, scope, columns));
        }
        Uni<SelfCheckReport> report = scope == Scope.INCREMENTAL ? incremental(client, columns) : full(client, columns, List.of());
        return report.invoke(this::record);
    }

    private Uni<SelfCheckReport> full(SqlClient client, boolean columns, List<String> earlier) {
        List<String> problems = new ArrayList<>(earlier);
        return checkpointStore.all(client).chain(all -> {
            List<StoredCheckpoint> trusted = verified(all, problems);
            LedgerWalk walk = new LedgerWalk(trusted, problems);
            return walkAndCheck(client, walk, trusted, columns)
                    .chain(() -> finished(client, walk, Scope.FULL, 0, all.size(), columns));
        });
    }

    private Uni<SelfCheckReport> incremental(SqlClient client, boolean columns) {
        return points.latest(client).chain(found -> {
            if (found.isEmpty()) {
                return full(client, columns, List.of()); // the first run ever: nothing to resume from
            }
            VerifiedPoint point = found.get();
            List<String> startProblems = new ArrayList<>();
            return startRange(client, point, startProblems).chain(range -> checkpointStore.from(client, point.treeSize())
                    .chain(checkpoints -> {
                        List<String> problems = new ArrayList<>();
                        List<StoredCheckpoint> trusted = verified(checkpoints, problems);
                        return anchor(client, point, range, trusted, startProblems).chain(() -> {
                            if (!startProblems.isEmpty()) {
                                startProblems.add("the self-check did not resume from the point it recorded at size "
                                        + point.treeSize() + " and scanned the whole ledger instead");
                                return full(client, columns, startProblems);
                            }
                            LedgerWalk walk = new LedgerWalk(range, trusted, problems);
                            return walkAndCheck(client, walk, trusted, columns).chain(() ->
                                    finished(client, walk, Scope.INCREMENTAL, point.treeSize(), checkpoints.size(), columns));
                        });
                    }));
        });
    }

    /**
     * The stored point as a compact range, if it is one whose root is its root, the ledger still reaches its size,
     * and the tree store still holds exactly its subtree roots, each the hash of its two stored children.
     */
    private Uni<CompactRange> startRange(SqlClient client, VerifiedPoint point, List<String> problems) {
        long size = point.treeSize();
        String named = "the self-check point recorded at size " + size + " (selfcheck_point id " + point.id() + ")";
        return tree.size(client).chain(ledgerSize -> {
            if (ledgerSize < size) {
                problems.add(named + ": the ledger ends at sequence number " + ledgerSize + ": entries were deleted");
            }
            byte[] packed = point.compactRange();
            if (packed.length != MerkleHash.SIZE * Long.bitCount(size)) {
                problems.add(named + " holds " + packed.length / MerkleHash.SIZE + " subtree roots, not "
                        + Long.bitCount(size) + ": the row was edited");
                return Uni.createFrom().<CompactRange>nullItem();
            }
            List<byte[]> roots = new ArrayList<>();
            for (int at = 0; at < packed.length; at += MerkleHash.SIZE) {
                roots.add(Arrays.copyOfRange(packed, at, at + MerkleHash.SIZE));
            }
            CompactRange range = CompactRange.of(size, roots);
            if (!MessageDigest.isEqual(range.root(), point.rootHash())) {
                problems.add(named + ": its compact range gives root " + b64(range.root()) + ", the row says "
                        + b64(point.rootHash()) + ": the row was edited");
            }
            if (ledgerSize < size) {
                return Uni.createFrom().item(range);
            }
            List<NodeId> ids = CompactRange.nodes(size);
            List<NodeId> wanted = new ArrayList<>(ids);
            for (NodeId id : ids) {
                if (id.level() > 0) {
                    wanted.add(new NodeId(id.level() - 1, 2 * id.index()));
                    wanted.add(new NodeId(id.level() - 1, 2 * id.index() + 1));
                }
            }
            return tree.nodes(client, wanted).map(stored -> {
                for (int i = 0; i < ids.size(); i++) {
                    NodeId id = ids.get(i);
                    byte[] h = stored.get(id);
                    if (!MessageDigest.isEqual(h, roots.get(i))) {
                        problems.add("Merkle node " + id + " differs from the subtree root " + named + " holds: the tree "
                                + "store or the self-check point was edited");
                    }
                    if (id.level() > 0 && !MessageDigest.isEqual(h, MerkleHash.node(
                            stored.get(new NodeId(id.level() - 1, 2 * id.index())),
                            stored.get(new NodeId(id.level() - 1, 2 * id.index() + 1))))) {
                        problems.add("Merkle node " + id + " is not the hash of its children: the tree store was edited");
                    }
                }
                return range;
            }).onFailure(MissingNodeException.class).recoverWithItem(e -> {
                problems.add(named + ": " + e.getMessage() + ": nodes were deleted");
                return range;
            });
        });
    }

    /**
     * The verified tree must extend the latest signed checkpoint at or below its size: a consistency proof from the
     * stored nodes between the signed root and the point's root (equal roots when the sizes are equal).
     */
    private Uni<Void> anchor(SqlClient client, VerifiedPoint point, CompactRange range, List<StoredCheckpoint> trusted,
                             List<String> problems) {
        Optional<StoredCheckpoint> anchor = trusted.stream().filter(c -> c.treeSize() <= point.treeSize()).reduce((a, b) -> b);
        if (range == null || anchor.isEmpty() || anchor.get().treeSize() == 0) {
            return Uni.createFrom().voidItem();
        }
        StoredCheckpoint c = anchor.get();
        return tree.hashes(client, ProofPlan.consistency(c.treeSize(), point.treeSize())).invoke(proof -> {
            try {
                ProofVerifier.verifyConsistency(c.treeSize(), point.treeSize(), c.rootHash(), range.root(), proof);
            } catch (ProofVerificationException e) {
                problems.add("checkpoint of size " + c.treeSize() + ": the tree the self-check verified up to size "
                        + point.treeSize() + " does not extend it (" + e.getMessage() + "): the tree store or the "
                        + "self-check point was edited");
            }
        }).onFailure(MissingNodeException.class).recoverWithItem(e -> {
            problems.add("checkpoint of size " + c.treeSize() + ": " + e.getMessage() + ": nodes were deleted");
            return null;
        }).replaceWithVoid();
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

    private Uni<Void> walkAndCheck(SqlClient client, LedgerWalk walk, List<StoredCheckpoint> trusted, boolean columns) {
        return batches(client, walk, columns, new int[1]).chain(() -> latestRoot(client, trusted, walk)).invoke(walk::finish);
    }

    /**
     * One batch of entries after the walk's last sequence number, then the tree nodes those entries completed, read by
     * index range and compared with the nodes recomputed from their stored leaf hashes; until the ledger's end.
     */
    private Uni<Void> batches(SqlClient client, LedgerWalk walk, boolean columns, int[] nodeProblems) {
        long before = walk.size();
        int batch = Math.max(1, config.batchSize());
        return client.preparedQuery("select seq, canonical_json, leaf_hash, " + EntryColumns.COLUMNS
                        + " from ledger_entry where seq > $1 order by seq limit $2")
                .execute(Tuple.of(walk.lastSeq(), batch))
                .emitOn(Infrastructure.getDefaultWorkerPool()) // parsing every payload is too much for the event loop
                .chain(rows -> {
                    for (Row r : rows) {
                        walk.row(r.getLong("seq"), r.getString("canonical_json"), r.getBuffer("leaf_hash").getBytes(),
                                columns ? EntryColumns.of(r) : null);
                    }
                    Map<NodeId, byte[]> computed = walk.drainCompleted();
                    return tree.completedBetween(client, before, walk.size()).map(stored -> {
                        compareNodes(walk, computed, stored, nodeProblems);
                        return rows.size();
                    });
                })
                .chain(read -> read < batch ? Uni.createFrom().voidItem() : batches(client, walk, columns, nodeProblems));
    }

    private static void compareNodes(LedgerWalk walk, Map<NodeId, byte[]> computed, Map<NodeId, byte[]> stored, int[] count) {
        for (Map.Entry<NodeId, byte[]> e : computed.entrySet()) {
            byte[] h = stored.get(e.getKey());
            String problem = h == null ? "Merkle node " + e.getKey() + " is missing from the tree store: nodes were deleted"
                    : MessageDigest.isEqual(h, e.getValue()) ? null
                    : "Merkle node " + e.getKey() + " differs from the hash of the stored leaves under it: the tree store was edited";
            if (problem != null && count[0]++ < MAX_NODE_PROBLEMS) {
                walk.problem(problem);
            }
        }
    }

    /** Proofs are built from the stored nodes: the latest signed root must come out of them too. */
    private Uni<Void> latestRoot(SqlClient client, List<StoredCheckpoint> trusted, LedgerWalk walk) {
        if (trusted.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StoredCheckpoint latest = trusted.get(trusted.size() - 1);
        return tree.root(client, latest.treeSize()).invoke(root -> {
            if (!MessageDigest.isEqual(root, latest.rootHash())) {
                walk.problem("checkpoint of size " + latest.treeSize() + ": the stored Merkle nodes give a different root");
            }
        }).onFailure().recoverWithUni(e -> {
            walk.problem("checkpoint of size " + latest.treeSize() + ": stored Merkle nodes are missing (" + e.getMessage() + ")");
            return Uni.createFrom().nullItem();
        }).replaceWithVoid();
    }

    private Uni<SelfCheckReport> finished(SqlClient client, LedgerWalk walk, Scope scope, long from, int checkpoints,
                                          boolean columns) {
        List<String> problems = walk.problems();
        SelfCheckReport report = new SelfCheckReport(problems.isEmpty(), scope.label(), from, walk.size(), checkpoints,
                List.copyOf(problems), Instant.now());
        if (!report.healthy() || !columns || (scope == Scope.INCREMENTAL && walk.size() == from)) {
            return Uni.createFrom().item(report);
        }
        CompactRange verified = walk.storedRange();
        return points.insert(client, verified.size(), verified.root(), verified.roots(), scope == Scope.FULL).replaceWith(report);
    }

    private void record(SelfCheckReport report) {
        last = report;
        checkedSize.set(report.ledgerSize());
        entriesRead.set(report.ledgerSize() - report.verifiedFrom());
        healthy.set(report.healthy() ? 1 : 0);
        registry.counter("flagledger.audit.selfcheck.runs", "scope", report.scope()).increment();
        if (!report.healthy()) {
            registry.counter("flagledger.audit.selfcheck.failures").increment();
            LOG.fatalf("CRITICAL: ledger self-check (%s) failed, the audit ledger may have been tampered with: %s",
                    report.scope(), String.join("; ", report.problems()));
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
            LOG.debugf("Ledger self-check (%s) passed: entries %d..%d, %d checkpoints", report.scope(),
                    report.verifiedFrom() + 1, report.ledgerSize(), report.checkpointsChecked());
        }
    }

    private static String b64(byte[] h) {
        return Base64.getEncoder().encodeToString(h);
    }
}
