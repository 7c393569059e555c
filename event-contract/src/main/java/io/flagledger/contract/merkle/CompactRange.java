package io.flagledger.contract.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The compact range [0, size) of an RFC 6962 tree: one perfect subtree root per set bit of the size, largest
 * (leftmost) first. It is all that is needed to append leaves and compute the root in O(log n) memory, so the ledger's
 * self-check, an archive segment and the offline verifier each recompute a root from a stream of leaves with it,
 * optionally seeded with the subtrees left of the leaves they hold ({@link #of}). Not thread-safe.
 */
public final class CompactRange {

    private final List<byte[]> roots; // largest (leftmost) first
    private long size;

    /** The empty range. */
    public CompactRange() {
        this.roots = new ArrayList<>();
    }

    private CompactRange(List<byte[]> roots, long size) {
        this.roots = roots;
        this.size = size;
    }

    /**
     * The range [0, size) from the roots of {@link #nodes nodes(size)}, in that order.
     *
     * @throws IllegalArgumentException if the number of roots does not fit the size or one is not a hash
     */
    public static CompactRange of(long size, List<byte[]> roots) {
        if (size < 0) {
            throw new IllegalArgumentException("a tree size is not negative: " + size);
        }
        if (roots.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException("a tree of " + size + " leaves has " + Long.bitCount(size)
                    + " perfect subtrees on its right edge, not " + roots.size());
        }
        List<byte[]> copy = new ArrayList<>(roots.size() + 1);
        for (byte[] h : roots) {
            copy.add(checked(h, "a subtree root"));
        }
        return new CompactRange(copy, size);
    }

    /** The perfect subtrees whose roots make up [0, size), largest (leftmost) first. */
    public static List<NodeId> nodes(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("a tree size is not negative: " + size);
        }
        List<NodeId> out = new ArrayList<>(Long.bitCount(size));
        long start = 0;
        for (int level = 62; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                out.add(new NodeId(level, start >>> level));
                start += 1L << level;
            }
        }
        return out;
    }

    public void append(byte[] leafHash) {
        append(leafHash, null);
    }

    /**
     * Appends a leaf and hands each perfect subtree it completes (level 1 and up, lowest first) to {@code completed}:
     * the nodes a tree store should hold for the new size, so a walk can compare them with what is stored.
     */
    public void append(byte[] leafHash, BiConsumer<NodeId, byte[]> completed) {
        byte[] h = checked(leafHash, "a leaf hash");
        long end = size + 1;
        int level = 0;
        // Each trailing one bit of the old size is a subtree of equal height waiting for a right sibling.
        for (long s = size; (s & 1) == 1; s >>>= 1) {
            h = MerkleHash.node(roots.remove(roots.size() - 1), h);
            level++;
            if (completed != null) {
                completed.accept(new NodeId(level, (end >>> level) - 1), h);
            }
        }
        roots.add(h);
        size++;
    }

    /** The subtree roots of {@link #nodes nodes(size())}, largest first: what {@link #of} takes to resume later. */
    public List<byte[]> roots() {
        List<byte[]> copy = new ArrayList<>(roots.size());
        for (byte[] h : roots) {
            copy.add(h.clone());
        }
        return copy;
    }

    public long size() {
        return size;
    }

    /** MTH of the leaves [0, size). */
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

    private static byte[] checked(byte[] hash, String what) {
        if (hash == null || hash.length != MerkleHash.SIZE) {
            throw new IllegalArgumentException(what + " is " + MerkleHash.SIZE + " bytes");
        }
        return hash;
    }
}
