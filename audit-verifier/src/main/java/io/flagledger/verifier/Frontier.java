package io.flagledger.verifier;

import io.flagledger.contract.merkle.MerkleHash;
import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of an RFC 6962 tree, seeded with the perfect subtree roots left of an exported range, so the
 * root of the tree up to the range's end is recomputed from the range's own leaves in O(log n) memory.
 */
final class Frontier {

    private final List<byte[]> roots; // largest (leftmost) first
    private long size;

    /** @param prefix the perfect subtree roots of the first {@code prefixSize} leaves, largest first */
    Frontier(List<byte[]> prefix, long prefixSize) {
        if (prefix.size() != Long.bitCount(prefixSize)) {
            throw new IllegalArgumentException("a tree of " + prefixSize + " leaves has " + Long.bitCount(prefixSize)
                    + " perfect subtrees on its right edge, the bundle gives " + prefix.size());
        }
        this.roots = new ArrayList<>(prefix);
        this.size = prefixSize;
    }

    void add(byte[] leafHash) {
        byte[] h = leafHash;
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            h = MerkleHash.node(roots.remove(roots.size() - 1), h);
        }
        roots.add(h);
        size++;
    }

    long size() {
        return size;
    }

    byte[] root() {
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
