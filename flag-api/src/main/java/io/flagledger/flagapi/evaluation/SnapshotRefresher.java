package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.evaluation.EvaluationSnapshot.Entry;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot.FlagRow;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot.SegmentRecord;
import io.flagledger.flagapi.flags.Flag;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.flags.FlagEnvironment;
import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps the in-memory evaluation state in step with the database on every replica. Each committed change is announced
 * by PostgreSQL NOTIFY from the writing transaction ({@link SnapshotListener}, migration V11); this replica then reads
 * just that flag (or that environment's segments) and applies it. One worker applies everything in order, so an older
 * read never overwrites a newer one, and notifications that arrive while it works are batched into its next read.
 * <p>
 * Safety net, every {@code flagledger.snapshot.full-check-interval}: one aggregate query names each environment's
 * revision as the database holds it; a full reload runs only if it disagrees with memory twice for the same database
 * state (a notification still in flight explains one disagreement, not two), or at once while not listening.
 */
@ApplicationScoped
public class SnapshotRefresher {

    private static final Logger LOG = Logger.getLogger(SnapshotRefresher.class);
    private static final int BATCH = 1000;

    private static final String COLUMNS = "select f.id, f.project, f.flag_key, f.kind, f.flag_type, f.variations, f.salt, "
            + "f.client_visible, f.archived_at is not null, f.metadata_version, fe.environment, fe.config, fe.version "
            + "from flag f join flag_environment fe on fe.flag_id = f.id ";
    private static final String ALL_FLAGS = COLUMNS + "where f.archived_at is null";
    private static final String SOME_FLAGS = COLUMNS + "where f.id = any($1)";
    private static final String ALL_SEGMENTS = "select project, environment, segment_key, definition, version from segment";
    private static final String SOME_SEGMENTS = ALL_SEGMENTS + " where project || '/' || environment = any($1)";
    /** Per environment: flag count and version sum, segment count and version sum (what a revision is made of). */
    private static final String REVISIONS = "select f.project || '/' || fe.environment, 0, count(*), coalesce(sum(fe.version + f.metadata_version), 0) "
            + "from flag f join flag_environment fe on fe.flag_id = f.id where f.archived_at is null group by 1 "
            + "union all select project || '/' || environment, 1, count(*), coalesce(sum(version), 0) from segment group by 1";
    private static final String EMPTY_REVISION = EvaluationSnapshot.Environment.revision(0, 0, 0);

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    SdkKeys sdkKeys;

    @Inject
    Pool pool;

    private final Set<UUID> pendingFlags = ConcurrentHashMap.newKeySet();
    private final Set<String> pendingSegments = ConcurrentHashMap.newKeySet();
    private volatile boolean fullRequested = true;
    private volatile boolean checkRequested;
    private volatile boolean listening;
    private final AtomicBoolean running = new AtomicBoolean();
    /** The database's revisions when they last disagreed with memory. */
    private Map<String, String> lastDisagreement;

    /** SDK keys keep their own periodic reload (revocations on other replicas arrive with it). */
    @Scheduled(every = "${flagledger.snapshot.refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshKeys() {
        return sdkKeys.refresh()
                .onFailure().invoke(e -> LOG.warnf("SDK key refresh failed, serving the previous keys: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    @Scheduled(every = "${flagledger.snapshot.full-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledCheck() {
        checkRequested = true;
        drain();
    }

    /** A NOTIFY payload from {@link SnapshotListener}: "flag:&lt;id&gt;" or "segment:&lt;project&gt;/&lt;environment&gt;". */
    void notified(String payload) {
        try {
            if (payload.startsWith("flag:")) {
                pendingFlags.add(UUID.fromString(payload.substring(5)));
            } else if (payload.startsWith("segment:")) {
                pendingSegments.add(payload.substring(8));
            } else {
                LOG.warnf("Ignoring an unknown snapshot notification: %s", payload);
                return;
            }
        } catch (IllegalArgumentException e) {
            LOG.warnf("Ignoring a malformed snapshot notification: %s", payload);
            return;
        }
        drain();
    }

    /** Listening started (a full reload covers whatever changed while not listening) or stopped. */
    void listening(boolean on) {
        listening = on;
        if (on) {
            fullRequested = true;
            drain();
        }
    }

    /** Asks for a full reload now (the safety net's repair, on demand). */
    public void requestFullReload() {
        fullRequested = true;
        drain();
    }

    private void drain() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        step().subscribe().with(ignored -> {
            running.set(false);
            if (fullRequested || !pendingFlags.isEmpty() || !pendingSegments.isEmpty() || checkRequested) {
                drain();
            }
        }, failure -> {
            // The next scheduled check drains again; retrying at once would spin while the database is away.
            LOG.warnf("Evaluation snapshot update failed, serving the previous one: %s", failure.getMessage());
            fullRequested = true;
            running.set(false);
        });
    }

    private Uni<Void> step() {
        if (fullRequested) {
            fullRequested = false;
            checkRequested = false;
            // Everything notified so far is covered by a load that starts after this point.
            pendingFlags.clear();
            pendingSegments.clear();
            return loadAll(snapshot).chain(this::step);
        }
        if (!pendingFlags.isEmpty()) {
            List<UUID> ids = take(pendingFlags);
            return pool.preparedQuery(SOME_FLAGS).execute(Tuple.of(ids.toArray(new UUID[0]))).map(SnapshotRefresher::flagRows)
                    .invoke(rows -> snapshot.applyFlags(ids, rows))
                    .chain(this::step);
        }
        if (!pendingSegments.isEmpty()) {
            List<String> scopes = take(pendingSegments);
            return pool.preparedQuery(SOME_SEGMENTS).execute(Tuple.of(scopes.toArray(new String[0]))).map(SnapshotRefresher::segmentRows)
                    .invoke(rows -> snapshot.applySegments(scopes, rows))
                    .chain(this::step);
        }
        if (checkRequested) {
            checkRequested = false;
            return pool.query(REVISIONS).execute().invoke(this::compare).chain(this::step);
        }
        return Uni.createFrom().voidItem();
    }

    /** Loads every flag and segment into {@code target} (tests compare it with the incrementally kept snapshot). */
    Uni<Void> loadAll(EvaluationSnapshot target) {
        return pool.query(ALL_FLAGS).execute().map(SnapshotRefresher::flagRows)
                .chain(flags -> pool.query(ALL_SEGMENTS).execute().map(SnapshotRefresher::segmentRows)
                        .invoke(segments -> target.replaceAll(flags, segments)))
                .replaceWithVoid();
    }

    private void compare(Iterable<Row> rows) {
        Map<String, long[]> parts = new HashMap<>();
        for (Row row : rows) {
            long[] p = parts.computeIfAbsent(row.getString(0), s -> new long[4]);
            int offset = row.getInteger(1) * 2;
            p[offset] = row.getLong(2);
            p[offset + 1] = row.getLong(3);
        }
        Map<String, String> stored = new TreeMap<>();
        parts.forEach((scope, p) -> stored.put(scope, EvaluationSnapshot.Environment.revision(p[0], p[2], p[1] + p[3])));
        Map<String, String> held = snapshot.revisions();
        Set<String> scopes = new HashSet<>(stored.keySet());
        scopes.addAll(held.keySet());
        boolean agree = snapshot.loaded() && scopes.stream()
                .allMatch(scope -> stored.getOrDefault(scope, EMPTY_REVISION).equals(held.getOrDefault(scope, EMPTY_REVISION)));
        if (agree) {
            lastDisagreement = null;
        } else if (!listening || !snapshot.loaded() || stored.equals(lastDisagreement)) {
            if (snapshot.loaded()) {
                LOG.infof("Evaluation snapshot disagrees with the database (a missed notification): reloading");
            }
            lastDisagreement = null;
            fullRequested = true;
        } else {
            lastDisagreement = stored;
        }
    }

    private static <T> List<T> take(Set<T> pending) {
        List<T> taken = new ArrayList<>();
        for (Iterator<T> it = pending.iterator(); it.hasNext() && taken.size() < BATCH; ) {
            taken.add(it.next());
            it.remove();
        }
        return taken;
    }

    private static List<FlagRow> flagRows(Iterable<Row> rows) {
        List<FlagRow> result = new ArrayList<>();
        for (Row row : rows) {
            Flag flag = new Flag();
            flag.key = row.getString(2);
            flag.type = row.getString(4);
            flag.variations = row.getString(5);
            flag.salt = row.getString(6);
            FlagEnvironment config = new FlagEnvironment();
            config.config = row.getString(11);
            Entry entry;
            try {
                entry = new Entry(FlagCodec.definition(flag), FlagCodec.config(config), row.getLong(12), row.getString(3),
                        row.getBoolean(7), row.getLong(9), new EvaluationSnapshot.Memo());
            } catch (RuntimeException e) {
                // One unreadable row must not stop the others; the flag keeps what this replica served before.
                LOG.errorf("Flag %s/%s in %s cannot be read, keeping its previous state: %s", row.getString(1), flag.key,
                        row.getString(10), e.getMessage());
                entry = null;
            }
            result.add(new FlagRow(row.getUUID(0), row.getString(1), flag.key, row.getBoolean(8), row.getLong(9),
                    row.getString(10), entry));
        }
        return result;
    }

    private static List<SegmentRecord> segmentRows(Iterable<Row> rows) {
        List<SegmentRecord> result = new ArrayList<>();
        for (Row row : rows) {
            try {
                result.add(new SegmentRecord(row.getString(0), row.getString(1), row.getString(2), FlagCodec.segment(row.getString(3)),
                        row.getLong(4)));
            } catch (RuntimeException e) {
                LOG.errorf("Segment %s/%s/%s cannot be read, leaving it out: %s", row.getString(0), row.getString(1),
                        row.getString(2), e.getMessage());
            }
        }
        return result;
    }
}
