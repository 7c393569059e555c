package io.flagledger.contract.merkle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a proof is made of, before any hash is read: each proof element is MTH of a leaf range, and each range
 * is a few perfect subtrees ({@link NodeId}s). A store fetches {@link #nodes()} in one go, then
 * {@link #hashes} folds them into the proof. So the same code serves a database, memory and tests, and a proof
 * costs O(log n) node reads.
 */
public final class ProofPlan {

    /** One proof element: MTH(D[start:end]). */
    public record Range(long start, long end) {

        /** The perfect subtrees covering the range, left to right (largest first, as RFC 6962 splits). */
        public List<NodeId> nodes() {
            List<NodeId> nodes = new ArrayList<>();
            long at = start;
            long remaining = end - start;
            while (remaining > 0) {
                int level = 63 - Long.numberOfLeadingZeros(remaining);
                nodes.add(new NodeId(level, at >>> level));
                at += 1L << level;
                remaining -= 1L << level;
            }
            return nodes;
        }

        /** Folds from the right, which is how MTH treats a range whose size is not a power of two. */
        byte[] hash(Map<NodeId, byte[]> hashes) {
            List<NodeId> nodes = nodes();
            byte[] h = require(hashes, nodes.get(nodes.size() - 1));
            for (int i = nodes.size() - 2; i >= 0; i--) {
                h = MerkleHash.node(require(hashes, nodes.get(i)), h);
            }
            return h;
        }
    }

    private final List<Range> ranges;

    private ProofPlan(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** RFC 9162 PATH(index, D[0:size]): the audit path, bottom-up. */
    public static ProofPlan inclusion(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index " + index + " is not inside a tree of size " + size);
        }
        List<Range> topDown = new ArrayList<>();
        long lo = 0;
        long hi = size;
        while (hi - lo > 1) {
            long k = Long.highestOneBit(hi - lo - 1);
            if (index < lo + k) {
                topDown.add(new Range(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(new Range(lo, lo + k));
                lo += k;
            }
        }
        Collections.reverse(topDown);
        return new ProofPlan(topDown);
    }

    /** RFC 9162 PROOF(size1, D[0:size2]), bottom-up; empty when the sizes are equal. */
    public static ProofPlan consistency(long size1, long size2) {
        if (size1 <= 0 || size1 > size2) {
            throw new IllegalArgumentException("consistency needs 0 < size1 <= size2, got " + size1 + " and " + size2);
        }
        List<Range> topDown = new ArrayList<>();
        long lo = 0;
        long hi = size2;
        boolean knownRoot = true; // the verifier holds MTH(D[0:size1]) itself, so it is never sent
        while (true) {
            if (size1 == hi) {
                if (!knownRoot) {
                    topDown.add(new Range(lo, hi));
                }
                break;
            }
            long k = Long.highestOneBit(hi - lo - 1);
            if (size1 - lo <= k) {
                topDown.add(new Range(lo + k, hi));
                hi = lo + k;
            } else {
                topDown.add(new Range(lo, lo + k));
                lo += k;
                knownRoot = false;
            }
        }
        Collections.reverse(topDown);
        return new ProofPlan(topDown);
    }

    /** The root of the tree of {@code size} as a one-element plan (no elements for the empty tree). */
    public static ProofPlan root(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("tree size must not be negative: " + size);
        }
        return new ProofPlan(size == 0 ? List.of() : List.of(new Range(0, size)));
    }

    /** MTH(D[0:size]) read from a node source; the empty tree's root needs no read. */
    public static byte[] rootOf(long size, NodeSource source) {
        return size == 0 ? MerkleHash.emptyRoot() : root(size).hashes(source).get(0);
    }

    public List<Range> ranges() {
        return ranges;
    }

    /** Every node the proof needs, without repeats. */
    public Set<NodeId> nodes() {
        Set<NodeId> all = new LinkedHashSet<>();
        for (Range r : ranges) {
            all.addAll(r.nodes());
        }
        return all;
    }

    /** The proof hashes, bottom-up, from already fetched nodes. */
    public List<byte[]> hashes(Map<NodeId, byte[]> nodeHashes) {
        List<byte[]> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            out.add(r.hash(nodeHashes));
        }
        return out;
    }

    public List<byte[]> hashes(NodeSource source) {
        return ranges.isEmpty() ? List.of() : hashes(source.nodes(nodes()));
    }

    private static byte[] require(Map<NodeId, byte[]> hashes, NodeId id) {
        byte[] h = hashes.get(id);
        if (h == null) {
            throw new IllegalStateException("node " + id + " is not available");
        }
        return h;
    }
}
