package io.flagledger.audit.archive;

import io.flagledger.contract.merkle.MerkleHash;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes a tree root from the perfect subtrees covering the leaves before a segment plus the segment's own
 * leaves, so one archived segment proves its signed checkpoint root without any other segment.
 */
final class RangeFrontier {

    private final List<Integer> levels = new ArrayList<>();
    private final List<byte[]> hashes = new ArrayList<>();

    /** @param prefix the subtrees of the leaves before the segment, largest (leftmost) first */
    RangeFrontier(List<SubtreeHash> prefix) {
        for (SubtreeHash s : prefix) {
            if (!levels.isEmpty() && levels.get(levels.size() - 1) <= s.level()) {
                throw new IllegalArgumentException("prefix subtrees must shrink from left to right");
            }
            levels.add(s.level());
            hashes.add(s.hash());
        }
    }

    void add(byte[] leafHash) {
        int level = 0;
        byte[] h = leafHash;
        while (!levels.isEmpty() && levels.get(levels.size() - 1) == level) {
            levels.remove(levels.size() - 1);
            h = MerkleHash.node(hashes.remove(hashes.size() - 1), h);
            level++;
        }
        levels.add(level);
        hashes.add(h);
    }

    byte[] root() {
        if (hashes.isEmpty()) {
            return MerkleHash.emptyRoot();
        }
        byte[] root = hashes.get(hashes.size() - 1);
        for (int i = hashes.size() - 2; i >= 0; i--) {
            root = MerkleHash.node(hashes.get(i), root);
        }
        return root;
    }

    /** The subtrees (level, index) whose roots make up the first {@code size} leaves, largest first. */
    static List<long[]> decompose(long size) {
        List<long[]> out = new ArrayList<>();
        long start = 0;
        for (int level = 62; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                out.add(new long[] {level, start >>> level});
                start += 1L << level;
            }
        }
        return out;
    }
}
