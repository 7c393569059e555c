package io.flagledger.audit.checkpoint;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The checkpoint table: append-only, one row per signed tree size. */
@ApplicationScoped
public class CheckpointStore {

    private static final String COLUMNS = "tree_size, root_hash, origin, key_name, note, signed_at";

    public Uni<Optional<StoredCheckpoint>> latest(SqlClient client) {
        return client.query("select " + COLUMNS + " from checkpoint order by tree_size desc limit 1").execute()
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next())));
    }

    /** Every checkpoint, smallest first (the self-check walks the ledger once and meets them in order). */
    public Uni<List<StoredCheckpoint>> all(SqlClient client) {
        return client.query("select " + COLUMNS + " from checkpoint order by tree_size").execute().map(rows -> {
            List<StoredCheckpoint> out = new ArrayList<>();
            rows.forEach(r -> out.add(map(r)));
            return out;
        });
    }

    /**
     * The latest checkpoint at or below {@code size} and every later one, smallest first: what an incremental
     * self-check from a verified size needs (the first anchors its start, the others are met on the way).
     */
    public Uni<List<StoredCheckpoint>> from(SqlClient client, long size) {
        return client.preparedQuery("select " + COLUMNS + " from checkpoint where tree_size >= "
                        + "coalesce((select max(tree_size) from checkpoint where tree_size <= $1), 0) order by tree_size")
                .execute(Tuple.of(size)).map(rows -> {
                    List<StoredCheckpoint> out = new ArrayList<>();
                    rows.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    /** @return false if another replica already signed this size */
    public Uni<Boolean> insert(SqlClient client, StoredCheckpoint c) {
        return client.preparedQuery("insert into checkpoint (" + COLUMNS + ") values ($1, $2, $3, $4, $5, $6) "
                        + "on conflict (tree_size) do nothing")
                .execute(Tuple.of(c.treeSize(), io.vertx.core.buffer.Buffer.buffer(c.rootHash()), c.origin(), c.keyName(),
                        c.note(), c.signedAt()))
                .map(rows -> rows.rowCount() == 1);
    }

    private static StoredCheckpoint map(Row r) {
        return new StoredCheckpoint(r.getLong("tree_size"), r.getBuffer("root_hash").getBytes(), r.getString("origin"),
                r.getString("key_name"), r.getString("note"), r.getOffsetDateTime("signed_at"));
    }
}
