package io.flagledger.audit.archive;

import io.flagledger.audit.checkpoint.CheckpointConfig;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Seals ledger segments into the WORM archive. A segment runs from the first unarchived entry to the size of a
 * signed checkpoint (the largest within {@code segment-events}, or the next one if a single checkpoint step is
 * larger), and is cut once that many entries wait or the oldest waiting entry is {@code segment-age} old. The
 * object is written once, read back, its SHA-256 compared and its content verified against the signed root;
 * only then is it recorded in {@code archive_segment}, the table the payload purge trusts.
 */
@ApplicationScoped
public class Archiver {

    private static final Logger LOG = Logger.getLogger(Archiver.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_SEGMENTS_PER_RUN = 20;

    @Inject
    Pool pool;

    @Inject
    ArchiveConfig config;

    @Inject
    ArchiveStore store;

    @Inject
    CheckpointKeys keys;

    @Inject
    CheckpointConfig checkpointConfig;

    @Inject
    MerkleStore tree;

    @Inject
    MeterRegistry registry;

    private final AtomicLong archivedSeq = new AtomicLong();

    /** A segment recorded in the archive index. */
    public record ArchivedSegment(String store, String key, long firstSeq, long lastSeq, byte[] sha256) {
    }

    @PostConstruct
    void metrics() {
        registry.gauge("flagledger.audit.archive.sealed.seq", archivedSeq);
        registry.counter("flagledger.audit.archive.failures");
    }

    @Scheduled(every = "${flagledger.archive.interval:1m}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        if (!config.enabled()) {
            return;
        }
        try {
            for (int i = 0; i < MAX_SEGMENTS_PER_RUN && sealNext(Instant.now()).isPresent(); i++) {
                // keep sealing while segments are due
            }
        } catch (RuntimeException e) {
            registry.counter("flagledger.audit.archive.failures").increment();
            LOG.errorf("Archiving failed (retried next run): %s", e.getMessage());
        }
    }

    /** Seals the next due segment, if one is due at {@code now}. Blocking: call from a worker thread. */
    public Optional<ArchivedSegment> sealNext(Instant now) {
        long archived = query("select coalesce(max(last_seq), 0) from archive_segment where store = $1", Tuple.of(store.name()))
                .iterator().next().getLong(0);
        archivedSeq.set(archived);
        RowSet<Row> due = query("""
                select (select max(tree_size) from checkpoint where tree_size > $1 and tree_size <= $1 + $2) as within,
                       (select min(tree_size) from checkpoint where tree_size > $1) as next,
                       (select max(tree_size) from checkpoint) as latest,
                       (select received_at from ledger_entry where seq = $1 + 1) as oldest""",
                Tuple.of(archived, (long) config.segmentEvents()));
        Row r = due.iterator().next();
        Long next = r.getLong("next");
        if (next == null) {
            return Optional.empty();
        }
        long waiting = r.getLong("latest") - archived;
        OffsetDateTime oldest = r.getOffsetDateTime("oldest");
        boolean old = oldest != null && oldest.toInstant().isBefore(now.minus(config.segmentAge()));
        if (waiting < config.segmentEvents() && !old) {
            return Optional.empty();
        }
        long last = r.getLong("within") != null ? r.getLong("within") : next;
        return Optional.of(seal(archived + 1, last, now));
    }

    private ArchivedSegment seal(long first, long last, Instant now) {
        String note = query("select note from checkpoint where tree_size = $1", Tuple.of(last)).iterator().next().getString("note");
        List<SubtreeHash> prefix = prefix(first - 1);
        List<SegmentEntry> entries = new ArrayList<>();
        for (Row e : query("""
                select seq, canonical_json, leaf_hash, received_at, source_topic, source_partition, source_offset
                from ledger_entry where seq between $1 and $2 order by seq""", Tuple.of(first, last))) {
            String payload = e.getString("canonical_json");
            if (payload == null) {
                throw new IllegalStateException("seq " + e.getLong("seq") + " has no payload but is not archived");
            }
            entries.add(new SegmentEntry(e.getLong("seq"), payload, e.getBuffer("leaf_hash").getBytes(),
                    e.getOffsetDateTime("received_at"), e.getString("source_topic") + "-" + e.getInteger("source_partition")
                    + "@" + e.getLong("source_offset")));
        }
        byte[] object = SegmentCodec.encode(checkpointConfig.origin(), first, last, note, prefix, entries);
        // Verify before writing too: a forged checkpoint or edited payload must never be sealed into WORM storage.
        SegmentCodec.verify(object, keys.verifier());
        String key = SegmentCodec.key(first, last);
        byte[] sha256 = Hashing.sha256(object);
        Instant retainUntil = now.plus(Duration.ofDays(config.retentionDays()));
        store.putOnce(key, object, retainUntil);
        byte[] readBack = store.read(key);
        if (!MessageDigest.isEqual(Hashing.sha256(readBack), sha256)) {
            throw new SegmentInvalidException("archive object " + key + " read back with a different SHA-256");
        }
        SegmentCodec.verify(readBack, keys.verifier());
        query("""
                insert into archive_segment (store, object_key, first_seq, last_seq, checkpoint_size, sha256, size_bytes,
                    retain_until, archived_at)
                values ($1, $2, $3, $4, $4, $5, $6, $7, now()) on conflict do nothing""",
                Tuple.tuple().addString(store.name()).addString(key).addLong(first).addLong(last)
                        .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(sha256)).addLong((long) object.length)
                        .addOffsetDateTime(OffsetDateTime.ofInstant(retainUntil, ZoneOffset.UTC)));
        archivedSeq.set(last);
        registry.counter("flagledger.audit.archive.segments", "store", store.name()).increment();
        LOG.infof("Archived seq %d..%d to %s:%s (%d bytes)", first, last, store.name(), key, object.length);
        return new ArchivedSegment(store.name(), key, first, last, sha256);
    }

    private List<SubtreeHash> prefix(long size) {
        List<NodeId> ids = CompactRange.nodes(size);
        Map<NodeId, byte[]> hashes = tree.nodes(pool, ids).await().atMost(DB_TIMEOUT);
        return ids.stream().map(id -> new SubtreeHash(id.level(), id.index(), hashes.get(id))).toList();
    }

    private RowSet<Row> query(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(DB_TIMEOUT);
    }
}
