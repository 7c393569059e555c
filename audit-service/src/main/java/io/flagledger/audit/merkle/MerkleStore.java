package io.flagledger.audit.merkle;

import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the stored tree: leaves from ledger_entry (leaf index = seq - 1), higher perfect subtrees
 * from merkle_node. Stateless: every call takes the client (pool or transaction) to run on, so the benchmark
 * can use it without CDI.
 */
@Singleton
public class MerkleStore {

    private static final String READ = """
            select 0 as level, seq - 1 as idx, leaf_hash as hash from ledger_entry where seq = any($1)
            union all
            select m.level, m.idx, m.hash from merkle_node m
            join unnest($2::integer[], $3::bigint[]) as wanted(level, idx) on m.level = wanted.level and m.idx = wanted.idx""";

    // The range reads below are one index range scan per wanted level. Written as a plain join, PostgreSQL cannot
    // estimate "idx >= first" per level and, once merkle_node is large (10M rows at 10M leaves), plans a parallel
    // sequential scan of the whole table: ~2 s per call, every proof-cache refresh and every self-check batch.
    // LATERAL with OFFSET 0 (not flattened into the join) keeps the nested loop over the primary key.
    static final String FROM = """
            select m.level, m.idx, m.hash from unnest($1::integer[], $2::bigint[]) as wanted(level, first)
            cross join lateral (select n.level, n.idx, n.hash from merkle_node n
                where n.level = wanted.level and n.idx >= wanted.first offset 0) m
            order by m.level, m.idx""";

    static final String BETWEEN = """
            select m.level, m.idx, m.hash from unnest($1::integer[], $2::bigint[], $3::bigint[]) as wanted(level, lo, hi)
            cross join lateral (select n.level, n.idx, n.hash from merkle_node n
                where n.level = wanted.level and n.idx between wanted.lo and wanted.hi offset 0) m""";

    private static final String WRITE = """
            insert into merkle_node (level, idx, hash)
            select * from unnest($1::integer[], $2::bigint[], $3::bytea[])""";

    /** Hashes of the given nodes in one query; fails if any is missing (beyond the tree, or a damaged store). */
    public Uni<Map<NodeId, byte[]>> nodes(SqlClient client, Collection<NodeId> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<Long> leafSeqs = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        for (NodeId id : ids) {
            if (id.level() == 0) {
                leafSeqs.add(id.index() + 1);
            } else {
                levels.add(id.level());
                indexes.add(id.index());
            }
        }
        Tuple args = Tuple.tuple().addArrayOfLong(leafSeqs.toArray(Long[]::new))
                .addArrayOfInteger(levels.toArray(Integer[]::new)).addArrayOfLong(indexes.toArray(Long[]::new));
        return client.preparedQuery(READ).execute(args).map(rows -> {
            Map<NodeId, byte[]> found = new HashMap<>();
            for (Row row : rows) {
                found.put(new NodeId(row.getInteger("level"), row.getLong("idx")), row.getBuffer("hash").getBytes());
            }
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
        return client.preparedQuery(FROM).execute(Tuple.of(levels, from)).map(rows -> {
            Map<NodeId, byte[]> found = new LinkedHashMap<>();
            for (Row row : rows) {
                found.put(new NodeId(row.getInteger("level"), row.getLong("idx")), row.getBuffer("hash").getBytes());
            }
            return found;
        });
    }

    /**
     * Every stored node (level 1 and up) that the tree completed while growing from {@code from} to {@code to}
     * leaves, i.e. whose last leaf lies in that range: one index range per level, so reading a batch's nodes never
     * touches older parts of the table.
     */
    public Uni<Map<NodeId, byte[]>> completedBetween(SqlClient client, long from, long to) {
        List<Integer> levels = new ArrayList<>();
        List<Long> lo = new ArrayList<>();
        List<Long> hi = new ArrayList<>();
        for (int level = 1; level < 63 && (to >>> level) > 0; level++) {
            if ((to >>> level) > (from >>> level)) {
                levels.add(level);
                lo.add(from >>> level);
                hi.add((to >>> level) - 1);
            }
        }
        if (levels.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery(BETWEEN).execute(Tuple.of(levels.toArray(Integer[]::new), lo.toArray(Long[]::new),
                hi.toArray(Long[]::new))).map(rows -> {
                    Map<NodeId, byte[]> found = new HashMap<>();
                    for (Row row : rows) {
                        found.put(new NodeId(row.getInteger("level"), row.getLong("idx")), row.getBuffer("hash").getBytes());
                    }
                    return found;
                });
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
     * Stores the subtrees that the new leaves complete when the tree grows from {@code size} leaves, and gives the
     * compact range of the grown tree. Run in the append transaction, under the append lock, so the tree and the
     * ledger never disagree. Every left sibling a new node needs is either made in this batch or a perfect subtree
     * on the old tree's right edge, so one read of that edge (O(log n) nodes) and one write suffice. Amortised one
     * node per leaf.
     */
    public Uni<CompactRange> leavesAppended(SqlClient tx, long size, List<byte[]> leafHashes) {
        List<NodeId> edge = CompactRange.nodes(size);
        return nodes(tx, edge).chain(known -> {
            CompactRange range = CompactRange.of(size, edge.stream().map(known::get).toList());
            Tuple written = completed(range, leafHashes);
            if (((Integer[]) written.getValue(0)).length == 0) {
                return Uni.createFrom().item(range);
            }
            return tx.preparedQuery(WRITE).execute(written).replaceWith(range);
        });
    }

    /**
     * Appends the leaves to the range and gives the nodes (level 1 and up) they complete as the three arrays
     * (levels, indexes, hashes) that the merkle_node inserts take.
     */
    public static Tuple completed(CompactRange range, List<byte[]> leafHashes) {
        List<Integer> levels = new ArrayList<>(leafHashes.size() + 8);
        List<Long> indexes = new ArrayList<>(leafHashes.size() + 8);
        List<Buffer> hashes = new ArrayList<>(leafHashes.size() + 8);
        for (byte[] leaf : leafHashes) {
            range.append(leaf, (id, h) -> {
                levels.add(id.level());
                indexes.add(id.index());
                hashes.add(Buffer.buffer(h));
            });
        }
        return Tuple.of(levels.toArray(Integer[]::new), indexes.toArray(Long[]::new), hashes.toArray(Buffer[]::new));
    }
}
