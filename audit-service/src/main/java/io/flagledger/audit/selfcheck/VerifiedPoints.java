package io.flagledger.audit.selfcheck;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The selfcheck_point table (V26): where the last healthy self-check got to, and when the last full scan was. */
@ApplicationScoped
public class VerifiedPoints {

    /** One row as stored; nothing in it is trusted before the incremental run has proven it. */
    public record VerifiedPoint(long id, long treeSize, byte[] rootHash, byte[] compactRange, boolean fullScan,
                                OffsetDateTime verifiedAt) {
    }

    private static final String COLUMNS = "id, tree_size, root_hash, compact_range, full_scan, verified_at";

    /** The most recently recorded point (by insertion order, so a replica's later run wins over an earlier one). */
    public Uni<Optional<VerifiedPoint>> latest(SqlClient client) {
        return client.query("select " + COLUMNS + " from selfcheck_point order by id desc limit 1").execute()
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
    }

    /** When the last healthy full scan finished, if any. */
    public Uni<Optional<OffsetDateTime>> lastFullScan(SqlClient client) {
        return client.query("select max(verified_at) from selfcheck_point where full_scan").execute()
                .map(rows -> Optional.ofNullable(rows.iterator().next().getOffsetDateTime(0)));
    }

    public Uni<Void> insert(SqlClient client, long treeSize, byte[] root, List<byte[]> compactRange, boolean fullScan) {
        Buffer range = Buffer.buffer(compactRange.size() * 32);
        compactRange.forEach(range::appendBytes);
        return client.preparedQuery("insert into selfcheck_point (tree_size, root_hash, compact_range, full_scan, verified_at) "
                        + "values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(treeSize, Buffer.buffer(root), range, fullScan, OffsetDateTime.now(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    private static VerifiedPoint map(Row r) {
        return new VerifiedPoint(r.getLong("id"), r.getLong("tree_size"), r.getBuffer("root_hash").getBytes(),
                r.getBuffer("compact_range").getBytes(), r.getBoolean("full_scan"), r.getOffsetDateTime("verified_at"));
    }
}
