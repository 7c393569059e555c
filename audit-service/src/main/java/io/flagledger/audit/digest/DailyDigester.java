package io.flagledger.audit.digest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.archive.ArchiveConfig;
import io.flagledger.audit.archive.ArchiveStore;
import io.flagledger.audit.checkpoint.CheckpointConfig;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerificationException;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Once a UTC day is over, signs a digest of it and writes it to the archive: the last checkpoint signed by the
 * end of the day and how many entries each source service added that day. The digest is a C2SP signed note by
 * the checkpoint key, so the same verifier key checks checkpoints and digests:
 * <pre>
 * &lt;origin&gt;
 * daily-digest 2026-11-25
 * checkpoint &lt;tree size&gt; &lt;base64 root&gt;
 * entries &lt;count that day&gt;
 * source &lt;service&gt; &lt;count&gt;      (one line per source service, sorted)
 * </pre>
 */
@ApplicationScoped
public class DailyDigester {

    private static final Logger LOG = Logger.getLogger(DailyDigester.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** A digest as written. */
    public record Digest(LocalDate day, String key, String note, Map<String, Long> counts, long checkpointSize) {
    }

    @Scheduled(every = "${flagledger.archive.interval:1m}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        if (!config.enabled() || keys.signer().isEmpty()) {
            return;
        }
        try {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            RowSet<Row> rows = query("""
                    select coalesce((select max(day) + 1 from daily_digest),
                                    (select min(signed_at at time zone 'UTC')::date from checkpoint)) as next""", Tuple.tuple());
            java.time.LocalDate next = rows.iterator().next().getLocalDate("next");
            for (LocalDate day = next; day != null && day.isBefore(today); day = day.plusDays(1)) {
                digest(day);
            }
        } catch (RuntimeException e) {
            LOG.errorf("Daily digest failed (retried next run): %s", e.getMessage());
        }
    }

    /** Signs and archives the digest of {@code day} (UTC) unless it exists; empty without a checkpoint by then. */
    public Optional<Digest> digest(LocalDate day) {
        // Signed once: a day already digested keeps its first digest (the ledger has grown since, so a new one would
        // differ, and the WORM store rightly refuses a second object under the same key).
        RowSet<Row> existing = query("select checkpoint_size, counts::text as counts, note, object_key from daily_digest where day = $1",
                Tuple.tuple().addLocalDate(day));
        if (existing.size() > 0) {
            Row row = existing.iterator().next();
            Map<String, Long> stored = new LinkedHashMap<>();
            try {
                JSON.readTree(row.getString("counts")).fields().forEachRemaining(f -> stored.put(f.getKey(), f.getValue().asLong()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("daily_digest " + day + " has unreadable counts", e);
            }
            return Optional.of(new Digest(day, row.getString("object_key"), row.getString("note"), stored,
                    row.getLong("checkpoint_size")));
        }
        NoteSigner signer = keys.signer().orElseThrow(() -> new IllegalStateException("no checkpoint signing key"));
        OffsetDateTime start = day.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = start.plusDays(1);
        RowSet<Row> cp = query("select tree_size, note from checkpoint where signed_at < $1 order by tree_size desc limit 1",
                Tuple.of(end));
        if (cp.size() == 0) {
            return Optional.empty();
        }
        Row checkpointRow = cp.iterator().next();
        String checkpointNote = checkpointRow.getString("note");
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(keys.verifier().open(checkpointNote).text());
        } catch (NoteVerificationException e) {
            throw new IllegalStateException("checkpoint " + checkpointRow.getLong("tree_size") + " does not verify: " + e.getMessage(), e);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        long total = 0;
        for (Row r : query("""
                select source_service, count(*) as n from ledger_entry where received_at >= $1 and received_at < $2
                group by source_service order by source_service""", Tuple.of(start, end))) {
            counts.put(r.getString("source_service"), r.getLong("n"));
            total += r.getLong("n");
        }
        StringBuilder text = new StringBuilder(checkpointConfig.origin()).append('\n')
                .append("daily-digest ").append(day).append('\n')
                .append("checkpoint ").append(checkpoint.size()).append(' ').append(checkpoint.rootBase64()).append('\n')
                .append("entries ").append(total).append('\n');
        counts.forEach((source, n) -> text.append("source ").append(source.replaceAll("\\s", "_")).append(' ').append(n).append('\n'));
        String note = signer.sign(text.toString());
        ObjectNode object = JSON.createObjectNode().put("format", "flagledger-daily-digest/1").put("day", day.toString())
                .put("origin", checkpointConfig.origin()).put("digest", note).put("checkpoint", checkpointNote);
        ObjectNode countsNode = object.putObject("counts");
        counts.forEach(countsNode::put);
        byte[] bytes = object.toPrettyString().getBytes(StandardCharsets.UTF_8);
        byte[] sha256 = Hashing.sha256(bytes);
        String key = "digests/" + day + ".json";
        store.putOnce(key, bytes, Instant.now().plus(Duration.ofDays(config.retentionDays())));
        if (!MessageDigest.isEqual(Hashing.sha256(store.read(key)), sha256)) {
            throw new IllegalStateException("digest " + key + " read back with a different SHA-256");
        }
        query("""
                insert into daily_digest (day, checkpoint_size, counts, note, store, object_key, sha256, created_at)
                values ($1, $2, $3::jsonb, $4, $5, $6, $7, now()) on conflict (day) do nothing""",
                Tuple.tuple().addLocalDate(day).addLong(checkpoint.size()).addString(countsNode.toString()).addString(note)
                        .addString(store.name()).addString(key).addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(sha256)));
        LOG.infof("Daily digest %s: checkpoint %d, %d entries, archived as %s", day, checkpoint.size(), total, key);
        return Optional.of(new Digest(day, key, note, counts, checkpoint.size()));
    }

    private RowSet<Row> query(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).await().atMost(DB_TIMEOUT);
    }
}
