package io.flagledger.audit.merkle;

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

    private static final String FROM = """
            select m.level, m.idx, m.hash from unnest($1::integer[], $2::bigint[]) as wanted(level, first)
            join merkle_node m on m.level = wanted.level and m.idx >= wanted.first
            order by m.level, m.idx""";

    private static final String BETWEEN = """
            select m.level, m.idx, m.hash from unnest($1::integer[], $2::bigint[], $3::bigint[]) as wanted(level, lo, hi)
            join merkle_node m on m.level = wanted.level and m.idx between wanted.lo and wanted.hi""";

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
     * Stores the subtrees that the new leaves complete when the tree grows from {@code size} leaves. Run in the
     * append transaction, under the append lock, so the tree and the ledger never disagree. Every left sibling
     * a new node needs is either made in this batch or a perfect subtree on the old tree's right edge, so one
     * read of that edge (O(log n) nodes) and one write suffice. Amortised one node per leaf.
     */
    public Uni<Void> leavesAppended(SqlClient tx, long size, List<byte[]> leafHashes) {
        List<NodeId> edge = new ArrayList<>();
        for (int level = 0; level < 63; level++) {
            if (((size >>> level) & 1) == 1) {
                edge.add(new NodeId(level, (size >>> level) - 1));
            }
        }
        return nodes(tx, edge).chain(known -> {
            // waiting[level]: the last complete node of that level while it is a left child waiting for its right
            // sibling. A node completed at leaf count n is one iff its level is n's count of trailing zeros, and it
            // stays the one until its sibling completes; the old tree's edge holds them at the start.
            byte[][] waiting = new byte[64][];
            known.forEach((id, h) -> waiting[id.level()] = h);
            List<Integer> levels = new ArrayList<>();
            List<Long> indexes = new ArrayList<>();
            List<Buffer> written = new ArrayList<>();
            long n = size;
            for (byte[] leaf : leafHashes) {
                n++;
                byte[] h = leaf;
                int completed = Long.numberOfTrailingZeros(n);
                for (int level = 0; level < completed; level++) {
                    h = MerkleHash.node(waiting[level], h);
                    levels.add(level + 1);
                    indexes.add((n >>> (level + 1)) - 1);
                    written.add(Buffer.buffer(h));
                }
                waiting[completed] = h;
            }
            if (levels.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return tx.preparedQuery(WRITE).execute(Tuple.of(levels.toArray(Integer[]::new), indexes.toArray(Long[]::new),
                    written.toArray(Buffer[]::new))).replaceWithVoid();
        });
    }
}
