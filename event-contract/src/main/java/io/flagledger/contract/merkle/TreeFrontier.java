package io.flagledger.contract.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing tree: one perfect subtree root per set bit of the size. Enough to compute the
 * root of a stream of leaves in O(log n) memory, e.g. when re-checking millions of stored leaves. Not thread-safe.
 */
public final class TreeFrontier {

    private final List<byte[]> roots = new ArrayList<>(); // largest (leftmost) first
    private long size;

    public void add(byte[] leafHash) {
        if (leafHash == null || leafHash.length != MerkleHash.SIZE) {
            throw new IllegalArgumentException("a leaf hash is " + MerkleHash.SIZE + " bytes");
        }
        byte[] h = leafHash;
        // Each trailing one bit of the old size is a subtree of equal height waiting for a right sibling.
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            h = MerkleHash.node(roots.remove(roots.size() - 1), h);
        }
        roots.add(h);
        size++;
    }

    public long size() {
        return size;
    }

    /** MTH of the leaves added so far. */
    public byte[] root() {
        if (roots.isEmpty()) {
            return MerkleHash.emptyRoot();
        }
        byte[] root = roots.get(roots.size() - 1);
        for (int i = roots.size() - 2; i >= 0; i--) {
            root = MerkleHash.node(roots.get(i), root);
        }
        return root;
    }
}
