package io.flagledger.contract.merkle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An append-only Merkle tree held in memory, keeping every perfect subtree hash. For verifiers that rebuild a
 * tree from exported leaves, and for tests that need a reference to compare a store with. Not thread-safe.
 */
public final class MemoryTree implements NodeSource {

    /** levels.get(k).get(i) is the hash of NodeId(k, i). */
    private final List<List<byte[]>> levels = new ArrayList<>();

    public MemoryTree() {
        levels.add(new ArrayList<>());
    }

    public static MemoryTree of(Collection<byte[]> leafHashes) {
        MemoryTree tree = new MemoryTree();
        leafHashes.forEach(tree::append);
        return tree;
    }

    /** Appends a leaf hash (already SHA-256(0x00 || entry)) and completes the subtrees it closes. */
    public void append(byte[] leafHash) {
        if (leafHash == null || leafHash.length != MerkleHash.SIZE) {
            throw new IllegalArgumentException("a leaf hash is " + MerkleHash.SIZE + " bytes");
        }
        byte[] h = leafHash.clone();
        int level = 0;
        while (true) {
            List<byte[]> row = levels.get(level);
            row.add(h);
            if (row.size() % 2 != 0) {
                return;
            }
            h = MerkleHash.node(row.get(row.size() - 2), h);
            level++;
            if (levels.size() == level) {
                levels.add(new ArrayList<>());
            }
        }
    }

    public long size() {
        return levels.get(0).size();
    }

    public byte[] root() {
        return root(size());
    }

    public byte[] root(long size) {
        checkSize(size);
        return ProofPlan.rootOf(size, this);
    }

    public List<byte[]> inclusionProof(long index, long size) {
        checkSize(size);
        return ProofPlan.inclusion(index, size).hashes(this);
    }

    public List<byte[]> consistencyProof(long size1, long size2) {
        checkSize(size2);
        return ProofPlan.consistency(size1, size2).hashes(this);
    }

    @Override
    public Map<NodeId, byte[]> nodes(Collection<NodeId> ids) {
        Map<NodeId, byte[]> out = new HashMap<>();
        for (NodeId id : ids) {
            if (id.level() >= levels.size() || id.index() >= levels.get(id.level()).size()) {
                throw new IllegalStateException("node " + id + " is not in a tree of size " + size());
            }
            out.put(id, levels.get(id.level()).get((int) id.index()));
        }
        return out;
    }

    private void checkSize(long size) {
        if (size < 0 || size > size()) {
            throw new IllegalArgumentException("tree size " + size + " is beyond the " + size() + " leaves held");
        }
    }
}
