package io.flagledger.audit.ledger;

import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Appends admitted events with a dense sequence number, once per event id, and grows the Merkle tree with them.
 * A whole batch (e.g. one Kafka poll) goes in one transaction: one lock, one duplicate check, one insert that
 * carries the tree nodes each entry completes.
 */
@ApplicationScoped
public class Ledger {

    /** Serialises appenders so sequence numbers stay dense and gap-free across replicas. */
    private static final long APPEND_LOCK = 0x466c61674c6564L;

    /** The row insert: one statement per batch, the rows as arrays ({@link #rows}), their tree nodes as {@code $18}. */
    public static final String APPEND = """
            insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type,
                project, flag_id, environment, correlation_id, channel, nodes)
            select s, e, c, h, now(), t, p, o, oc, ss, a, ai, at, pr, f, en, co, ch, n
            from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::integer[], $7::bigint[],
                $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                $15::text[], $16::text[], $17::text[], $18::bytea[])
                as u(s, e, c, h, t, p, o, oc, ss, a, ai, at, pr, f, en, co, ch, n)""";

    private static final String QUARANTINE = """
            insert into quarantined_event (received_at, source_topic, source_partition, source_offset, reason, payload)
            select now(), t, p, o, r, b from unnest($1::text[], $2::integer[], $3::bigint[], $4::text[], $5::bytea[])
                as u(t, p, o, r, b)
            on conflict (source_topic, source_partition, source_offset) do nothing
            returning source_topic, source_partition, source_offset""";

    /**
     * {@link #APPEND}, if the ledger holds exactly the tree the caller grew its compact range from: {@code $19}
     * entries, and the perfect subtrees of that range ({@code $20..$22}: level, index, hash) stored as the caller
     * has them. Otherwise nothing (the caller then reads the tree's edge under the lock). The size alone is not
     * enough once an append may be sent before the previous one committed: if that one rolled back and another
     * appender added as many entries, the size would match a different tree. A duplicate event id fails it on
     * ledger_entry's unique index.
     */
    private static final String APPEND_AT = """
            with guard as (select (select coalesce(max(seq), 0) from ledger_entry) = $19
                and (select count(*) from unnest($20::integer[], $21::bigint[], $22::bytea[]) as r(level, idx, hash)
                     where r.hash = """ + MerkleStore.hash("r.level", "r.idx") + """
            ) = cardinality($20::integer[]) as ok),
            entries as (""" + APPEND + "\n    where (select ok from guard))\n" + """
            select ok from guard""";

    /**
     * An event that passed admission, its RFC 8785 bytes (what is stored and hashed; carried from admission so an
     * event is canonicalized once), where it came from, and the values of its row: its stored text, leaf hash and
     * query columns. They are computed where the Admitted is made, so the ingestor derives them on its verifier
     * pool, in parallel, and the single writer only ships them.
     */
    public record Admitted(AuditEvent event, byte[] canonical, SourcePosition position, String text, byte[] leaf,
                           EntryColumns columns) {
        public Admitted(AuditEvent event, byte[] canonical, SourcePosition position) {
            this(event, canonical, position, new String(canonical, StandardCharsets.UTF_8), MerkleHash.leaf(canonical),
                    EntryColumns.of(event));
        }

        /** For events audit-service signed itself: canonicalized here. */
        public Admitted(AuditEvent event, SourcePosition position) {
            this(event, EventJson.canonicalBytes(event), position);
        }
    }

    /** A record that failed admission or could not be stored: kept with the reason (made {@link Reason#safe}), never dropped. */
    public record Rejected(byte[] payload, String reason, SourcePosition position) {
        public Rejected {
            reason = Reason.safe(reason);
        }
    }

    /**
     * @param seqs        for each admitted event in input order, its sequence number, or 0 if it was already in the
     *                    ledger (a redelivery or a producer retry)
     * @param quarantined only the records new to the quarantine (a redelivered one is not alerted on twice)
     */
    public record Outcome(long[] seqs, Set<SourcePosition> quarantined) {
        public long appended() {
            return Arrays.stream(seqs).filter(s -> s > 0).count();
        }
    }

    @Inject
    Pool pool;

    @Inject
    MerkleStore tree;

    Ledger() {
    }

    /** Outside the container: the ingestion benchmark measures the append path alone with it. */
    public Ledger(Pool pool, MerkleStore tree) {
        this.pool = pool;
        this.tree = tree;
    }

    /**
     * The tree's compact range after the latest append this instance committed itself. It spares the next append
     * the duplicate probe, the size read and the edge read: {@link #APPEND_AT} checks under the lock that the
     * ledger still holds that tree. Anything else that appends (another replica, a caller's own transaction) makes
     * that check fail, and the append falls back to reading everything under the lock.
     */
    private final AtomicReference<Frontier> frontier = new AtomicReference<>();

    /** A tree the ledger holds or will hold: its size and the roots of its compact range. */
    public record Frontier(long size, List<byte[]> roots) {
        public Frontier {
            roots = List.copyOf(roots);
        }

        static Frontier of(CompactRange range) {
            return new Frontier(range.size(), range.roots());
        }
    }

    /**
     * An append sent on the assumption that the ledger holds {@code base} when it gets the lock: the tree it makes
     * if it commits ({@code after}, what a next append may assume), and its outcome, or a null item if the ledger
     * did not hold {@code base} (then nothing was written). Subscribing to the outcome sends it; {@code locked}
     * completes when it holds the append lock (or ended without): only then may the next append be sent, because
     * appends on different connections take the lock in the order they reach the database, not the order they
     * were sent in.
     */
    public record Attempt(Frontier after, Uni<Outcome> outcome, CompletableFuture<Void> locked) {
    }

    /** The tree after this instance's latest committed append, if it knows it. */
    public Frontier committed() {
        return frontier.get();
    }

    /** Whether a batch can go in one round trip ({@link #appendAt}): only new, distinct events, nothing to quarantine. */
    public static boolean oneRoundTrip(List<Admitted> admitted, List<Rejected> rejected) {
        return !admitted.isEmpty() && rejected.isEmpty() && distinct(admitted);
    }

    /**
     * Appends the admitted events (in order) and quarantines the rejected records, all in one transaction. When
     * this instance made the latest append, and the batch is only new, distinct events, that is one round trip:
     * begin, the lock, {@link #APPEND_AT}, commit, pipelined.
     */
    public Uni<Outcome> append(List<Admitted> admitted, List<Rejected> rejected) {
        Frontier known = frontier.get();
        if (known == null || !oneRoundTrip(admitted, rejected)) {
            return appendReading(admitted, rejected);
        }
        // Any failure, e.g. a redelivered event on the unique index, rolled the attempt back: redo it the long way,
        // which tells duplicates apart and fails, if the data is at fault, with the failure the ingestor bisects on.
        return appendAt(known, admitted).outcome().onFailure().recoverWithNull()
                .chain(outcome -> {
                    if (outcome != null) {
                        return Uni.createFrom().item(outcome);
                    }
                    frontier.compareAndSet(known, null);
                    return appendReading(admitted, rejected);
                });
    }

    private static boolean distinct(List<Admitted> admitted) {
        Set<UUID> ids = new HashSet<>(admitted.size() * 2);
        for (Admitted a : admitted) {
            if (!ids.add(a.columns().eventId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends distinct, new events ({@link #oneRoundTrip}) in one round trip (begin, the lock, {@link #APPEND_AT},
     * commit, pipelined) if, under the lock, the ledger holds {@code base}; the caller may send it before the append
     * that makes {@code base} has committed, once that one holds the lock ({@link Attempt#locked}), since the check
     * runs after that one released it. Nothing shared is read here, so the statement can be built on any thread; it
     * is sent when the outcome is subscribed to.
     */
    @SuppressWarnings("unchecked") // the pipelined results, in the order of the statements
    public Attempt appendAt(Frontier base, List<Admitted> admitted) {
        List<NodeId> edge = CompactRange.nodes(base.size());
        Integer[] edgeLevels = new Integer[edge.size()];
        Long[] edgeIndexes = new Long[edge.size()];
        Buffer[] edgeHashes = new Buffer[edge.size()];
        for (int i = 0; i < edge.size(); i++) {
            edgeLevels[i] = edge.get(i).level();
            edgeIndexes[i] = edge.get(i).index();
            edgeHashes[i] = Buffer.buffer(base.roots().get(i));
        }
        CompactRange range = CompactRange.of(base.size(), base.roots());
        Rows rows = rows(base.size(), admitted);
        Tuple values = rows.values().addValue(MerkleStore.completed(range, rows.leaves())) // grows range
                .addLong(base.size()).addValue(edgeLevels).addValue(edgeIndexes).addValue(edgeHashes);
        Frontier after = Frontier.of(range);
        long[] seqs = new long[admitted.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = base.size() + i + 1;
        }
        CompletableFuture<Void> locked = new CompletableFuture<>();
        // The commit is sent with the rest; after a failed statement PostgreSQL answers it with a rollback.
        Uni<Outcome> outcome = pool.withConnection(c -> pipelined(c.query("begin").execute(),
                        c.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(APPEND_LOCK))
                                .invoke(() -> locked.complete(null)),
                        c.preparedQuery(APPEND_AT).execute(values), c.query("commit").execute()))
                .map(results -> {
                    if (!((RowSet<Row>) results.get(2)).iterator().next().getBoolean(0)) {
                        return null;
                    }
                    advance(after);
                    return new Outcome(seqs, Set.of());
                })
                .onTermination().invoke(() -> locked.complete(null));
        return new Attempt(after, outcome, locked);
    }

    /** Remembers a committed state of the tree, unless a larger one is known already. */
    private void advance(Frontier grown) {
        frontier.accumulateAndGet(grown, (now, next) -> now != null && now.size() >= next.size() ? now : next);
    }

    /** One transaction that reads the ledger's size, duplicates and the tree's edge under the lock. */
    private Uni<Outcome> appendReading(List<Admitted> admitted, List<Rejected> rejected) {
        AtomicReference<CompactRange> grown = new AtomicReference<>();
        return pool.withTransaction(tx -> appendEntries(tx, admitted, grown).chain(seqs -> quarantine(tx, rejected)
                        .map(q -> new Outcome(seqs, q))))
                .invoke(() -> {
                    if (grown.get() != null) {
                        advance(Frontier.of(grown.get()));
                    }
                });
    }

    /** The work of {@link #append(List, List)} on a given transaction (benchmarks and tests pass their own). */
    public Uni<Outcome> append(SqlClient tx, List<Admitted> admitted, List<Rejected> rejected) {
        return appendEntries(tx, admitted, new AtomicReference<>()).chain(seqs -> quarantine(tx, rejected)
                .map(q -> new Outcome(seqs, q)));
    }

    @SuppressWarnings("unchecked") // the pipelined results, in the order of the statements
    private Uni<long[]> appendEntries(SqlClient tx, List<Admitted> admitted, AtomicReference<CompactRange> grown) {
        long[] seqs = new long[admitted.size()];
        if (admitted.isEmpty()) {
            return Uni.createFrom().item(seqs);
        }
        UUID[] ids = admitted.stream().map(a -> a.columns().eventId()).toArray(UUID[]::new);
        // One round trip: PostgreSQL runs them in this order, so the duplicate check and the size (each statement
        // sees what committed before it started) are read under the lock.
        return pipelined(tx.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(APPEND_LOCK)),
                tx.preparedQuery("select event_id from ledger_entry where event_id = any($1::uuid[])").execute(Tuple.of(ids)),
                tree.size(tx))
                .chain(results -> {
                    Set<UUID> seen = new HashSet<>();
                    for (Row r : (RowSet<Row>) results.get(1)) {
                        seen.add(r.getUUID(0));
                    }
                    List<Integer> fresh = new ArrayList<>();
                    for (int i = 0; i < ids.length; i++) {
                        if (seen.add(ids[i])) {
                            fresh.add(i);
                        }
                    }
                    if (fresh.isEmpty()) {
                        return Uni.createFrom().item(seqs);
                    }
                    return insert(tx, admitted, fresh, (Long) results.get(2), seqs, grown);
                });
    }

    private Uni<long[]> insert(SqlClient tx, List<Admitted> admitted, List<Integer> fresh, long size, long[] seqs,
                               AtomicReference<CompactRange> grown) {
        List<Admitted> entries = new ArrayList<>(fresh.size());
        for (int j = 0; j < fresh.size(); j++) {
            seqs[fresh.get(j)] = size + j + 1;
            entries.add(admitted.get(fresh.get(j)));
        }
        Rows rows = rows(size, entries);
        return tree.range(tx, size).chain(range -> {
            Buffer[] nodes = MerkleStore.completed(range, rows.leaves());
            return tx.preparedQuery(APPEND).execute(rows.values().addValue(nodes)).invoke(() -> grown.set(range));
        }).replaceWith(seqs);
    }

    /**
     * Sends the statements at once, pipelined on the transaction's connection, which runs them in this order, and
     * gives their results in that order. Fails with the earliest statement's failure: a later statement of an
     * aborted transaction fails only because of it.
     */
    private static Uni<List<Object>> pipelined(Uni<?>... statements) {
        return Uni.createFrom().deferred(() -> {
            List<CompletableFuture<?>> sent = new ArrayList<>(statements.length);
            for (Uni<?> statement : statements) {
                sent.add(statement.subscribeAsCompletionStage());
            }
            Uni<List<Object>> results = Uni.createFrom().item(new ArrayList<>(statements.length));
            for (CompletableFuture<?> s : sent) {
                results = results.chain(list -> Uni.createFrom().completionStage(s).map(r -> {
                    list.add(r);
                    return list;
                }));
            }
            return results;
        });
    }

    /**
     * The parameters of {@link #APPEND} but the nodes for the entries as seq {@code size + 1}, ..., and their leaf
     * hashes, from which {@link MerkleStore#completed} makes the nodes.
     */
    public record Rows(Tuple values, List<byte[]> leaves) {
    }

    /** {@link Rows} of the entries; public so the ingestion benchmark inserts exactly these rows as its ceiling. */
    public static Rows rows(long size, List<Admitted> entries) {
        int n = entries.size();
        Long[] seq = new Long[n];
        UUID[] eventIds = new UUID[n];
        String[] canonical = new String[n];
        Buffer[] leafHashes = new Buffer[n];
        List<byte[]> leaves = new ArrayList<>(n);
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        OffsetDateTime[] occurred = new OffsetDateTime[n];
        String[] services = new String[n];
        String[] actions = new String[n];
        String[] actors = new String[n];
        String[] actorTypes = new String[n];
        String[] projects = new String[n];
        String[] flags = new String[n];
        String[] environments = new String[n];
        String[] correlations = new String[n];
        String[] channels = new String[n];
        for (int j = 0; j < n; j++) {
            Admitted a = entries.get(j);
            SourcePosition p = a.position();
            EntryColumns c = a.columns();
            byte[] leaf = a.leaf();
            seq[j] = size + j + 1;
            eventIds[j] = c.eventId();
            canonical[j] = a.text();
            leafHashes[j] = Buffer.buffer(leaf);
            leaves.add(leaf);
            topics[j] = p.topic();
            partitions[j] = p.partition();
            offsets[j] = p.offset();
            occurred[j] = c.occurredAtUtc();
            services[j] = c.sourceService();
            actions[j] = c.action();
            actors[j] = c.actorId();
            actorTypes[j] = c.actorType();
            projects[j] = c.project();
            flags[j] = c.flagId();
            environments[j] = c.environment();
            correlations[j] = c.correlationId();
            channels[j] = c.channel();
        }
        Tuple values = Tuple.tuple().addValue(seq).addValue(eventIds).addValue(canonical).addValue(leafHashes)
                .addValue(topics).addValue(partitions).addValue(offsets).addValue(occurred).addValue(services)
                .addValue(actions).addValue(actors).addValue(actorTypes).addValue(projects).addValue(flags)
                .addValue(environments).addValue(correlations).addValue(channels);
        return new Rows(values, leaves);
    }

    private Uni<Set<SourcePosition>> quarantine(SqlClient tx, List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        int n = rejected.size();
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        String[] reasons = new String[n];
        Buffer[] payloads = new Buffer[n];
        for (int i = 0; i < n; i++) {
            Rejected r = rejected.get(i);
            topics[i] = r.position().topic();
            partitions[i] = r.position().partition();
            offsets[i] = r.position().offset();
            reasons[i] = r.reason();
            payloads[i] = Buffer.buffer(r.payload() == null ? new byte[0] : r.payload());
        }
        return tx.preparedQuery(QUARANTINE).execute(Tuple.of(topics, partitions, offsets, reasons, payloads))
                .map(rows -> {
                    Set<SourcePosition> inserted = new HashSet<>();
                    rows.forEach(row -> inserted.add(new SourcePosition(row.getString(0), row.getInteger(1), row.getLong(2))));
                    return inserted;
                });
    }
}
