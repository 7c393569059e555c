package io.flagledger.audit.merkle;

import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the stored tree. Every node lives in the ledger_entry row whose leaf completes it: the leaf at
 * index i = seq - 1 completes nodes (l, i >> l) for l = 0..t, t = the number of trailing one bits of i; level 0 is
 * leaf_hash, levels 1..t are column nodes, 32 bytes each in level order. So node (l, j) is in the entry with
 * seq = (j + 1) << l, and an append writes one row per event. Stateless: every call takes the client (pool or
 * transaction) to run on, so the benchmark can use it without CDI.
 */
@Singleton
public class MerkleStore {

    /**
     * SQL for the hash of node ({@code level}, {@code idx}), both SQL expressions: one primary-key probe, null if
     * the tree does not hold it (yet).
     */
    public static String hash(String level, String idx) {
        return "(select case when " + level + " = 0 then tree_node.leaf_hash else substring(tree_node.nodes from ("
                + level + " - 1) * 32 + 1 for 32) end from ledger_entry tree_node where tree_node.seq = (" + idx
                + " + 1) << " + level + ")";
    }

    private static final String READ = "select w.level, w.idx, " + hash("w.level", "w.idx")
            + " as hash from unnest($1::integer[], $2::bigint[]) as w(level, idx)";

    // One probe per node, whatever the planner estimates: the nodes of one level are 2^level entries apart, so a
    // range scan would read 2^level rows per node.
    static final String FROM = "select w.level, g.idx, " + hash("w.level", "g.idx") + " as hash "
            + "from unnest($1::integer[], $2::bigint[]) as w(level, first) "
            + "cross join lateral generate_series(w.first, ((select coalesce(max(seq), 0) from ledger_entry) >> w.level) - 1) "
            + "as g(idx) order by w.level, g.idx";

    // The nodes completed between two sizes are exactly those of the entries in between: one range scan.
    static final String BETWEEN = "select seq, nodes from ledger_entry where seq > $1 and seq <= $2 and nodes is not null";

    /** Hashes of the given nodes in one query; fails if any is missing (beyond the tree, or a damaged store). */
    public Uni<Map<NodeId, byte[]>> nodes(SqlClient client, Collection<NodeId> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Integer[] levels = new Integer[ids.size()];
        Long[] indexes = new Long[ids.size()];
        int i = 0;
        for (NodeId id : ids) {
            levels[i] = id.level();
            indexes[i++] = id.index();
        }
        Tuple args = Tuple.of(levels, indexes);
        return client.preparedQuery(READ).execute(args).map(rows -> {
            Map<NodeId, byte[]> found = found(rows, new HashMap<>());
            for (NodeId id : ids) {
                if (!found.containsKey(id)) {
                    throw new MissingNodeException(id);
                }
            }
            return found;
        });
    }

    /**
     * Every stored node of the given levels from the given index on ({@code first[i]} for level
     * {@code lowest + i}), in level then index order: what an in-memory copy of the upper levels lacks.
     */
    public Uni<Map<NodeId, byte[]>> nodesFrom(SqlClient client, int lowest, long[] first) {
        Integer[] levels = new Integer[first.length];
        Long[] from = new Long[first.length];
        for (int i = 0; i < first.length; i++) {
            levels[i] = lowest + i;
            from[i] = first[i];
        }
        return client.preparedQuery(FROM).execute(Tuple.of(levels, from)).map(rows -> found(rows, new LinkedHashMap<>()));
    }

    /**
     * Every stored node (level 1 and up) that the tree completed while growing from {@code from} to {@code to}
     * leaves, i.e. whose last leaf lies in that range: the nodes of those entries, one primary-key range scan, so
     * reading a batch's nodes never touches older parts of the table.
     */
    public Uni<Map<NodeId, byte[]>> completedBetween(SqlClient client, long from, long to) {
        return client.preparedQuery(BETWEEN).execute(Tuple.of(from, to)).map(rows -> {
            Map<NodeId, byte[]> found = new HashMap<>();
            for (Row row : rows) {
                long leaf = row.getLong("seq") - 1;
                byte[] nodes = row.getBuffer("nodes").getBytes();
                for (int level = 1; level * 32 <= nodes.length; level++) {
                    found.put(new NodeId(level, leaf >>> level), Arrays.copyOfRange(nodes, (level - 1) * 32, level * 32));
                }
            }
            return found;
        });
    }

    /** The nodes of (level, idx, hash) rows into {@code into}; a node the tree lacks has a null hash and is left out. */
    private static Map<NodeId, byte[]> found(RowSet<Row> rows, Map<NodeId, byte[]> into) {
        for (Row row : rows) {
            var hash = row.getBuffer("hash");
            if (hash != null) {
                into.put(new NodeId(row.getInteger("level"), row.getLong("idx")), hash.getBytes());
            }
        }
        return into;
    }

    /** The proof hashes of a plan, bottom-up. */
    public Uni<List<byte[]>> hashes(SqlClient client, ProofPlan plan) {
        return nodes(client, plan.nodes()).map(plan::hashes);
    }

    /** MTH of the first {@code size} leaves. */
    public Uni<byte[]> root(SqlClient client, long size) {
        if (size == 0) {
            return Uni.createFrom().item(MerkleHash.emptyRoot());
        }
        return hashes(client, ProofPlan.root(size)).map(h -> h.get(0));
    }

    /** Number of leaves committed so far. */
    public Uni<Long> size(SqlClient client) {
        return client.query("select coalesce(max(seq), 0) from ledger_entry").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * The compact range of the stored tree of {@code size} leaves: one read of its right edge (O(log n) nodes). Run
     * under the append lock, it is what the next append grows with {@link #completed}.
     */
    public Uni<CompactRange> range(SqlClient client, long size) {
        List<NodeId> edge = CompactRange.nodes(size);
        return nodes(client, edge).map(known -> CompactRange.of(size, edge.stream().map(known::get).toList()));
    }

    /**
     * Appends the leaves to the range and gives, for each, the nodes column of its entry: the hashes of the
     * subtrees it completes (level 1 and up, lowest first), or null if it completes none.
     */
    public static Buffer[] completed(CompactRange range, List<byte[]> leafHashes) {
        Buffer[] nodes = new Buffer[leafHashes.size()];
        for (int i = 0; i < nodes.length; i++) {
            Buffer completing = Buffer.buffer();
            range.append(leafHashes.get(i), (id, h) -> completing.appendBytes(h));
            nodes[i] = completing.length() == 0 ? null : completing;
        }
        return nodes;
    }
}
