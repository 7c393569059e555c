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
