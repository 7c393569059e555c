package io.flagledger.audit.proof;

import io.flagledger.contract.merkle.NodeId;
import java.util.Arrays;

/**
 * The hashes of every complete subtree at or above one level, in memory: they never change once complete, and a
 * proof at 10M leaves takes ~23 of its ~30 nodes from here (level 8 holds 1/256 of the nodes, all levels above it
 * as many again, so about n/4 bytes: 2.5 MB at 10M leaves). Each level is a packed array of 32-byte hashes,
 * contiguous from index 0, as the tree only ever grows on the right; a node is taken only when it extends its level
 * by one, so a gap is never filled with a guess. Holds nothing it did not read from the store.
 */
final class UpperLevels {

    private static final int HASH = 32;
    private static final int TOP = 63;

    private final int lowest;
    private final byte[][] hashes;
    private final long[] counts;

    UpperLevels(int lowest) {
        if (lowest < 1 || lowest >= TOP) {
            throw new IllegalArgumentException("the lowest cached level must be between 1 and 62, not " + lowest);
        }
        this.lowest = lowest;
        this.hashes = new byte[TOP][];
        this.counts = new long[TOP];
    }

    int lowest() {
        return lowest;
    }

    /** The cached hash, or null (below the cached levels, or not read yet). */
    synchronized byte[] get(NodeId id) {
        if (id.level() < lowest || id.index() >= counts[id.level()]) {
            return null;
        }
        int at = (int) id.index() * HASH;
        return Arrays.copyOfRange(hashes[id.level()], at, at + HASH);
    }

    /** Keeps a node read from the store if it is the next one of its level; anything else is ignored. */
    synchronized void offer(NodeId id, byte[] hash) {
        int level = id.level();
        if (level < lowest || id.index() != counts[level] || hash.length != HASH) {
            return;
        }
        long needed = (counts[level] + 1) * HASH;
        if (needed > Integer.MAX_VALUE - 8) {
            return; // beyond one array per level (2^26 nodes); the store still answers
        }
        byte[] packed = hashes[level];
        if (packed == null || packed.length < needed) {
            packed = Arrays.copyOf(packed == null ? new byte[0] : packed,
                    (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * (packed == null ? 512 : packed.length))));
            hashes[level] = packed;
        }
        System.arraycopy(hash, 0, packed, (int) id.index() * HASH, HASH);
        counts[level]++;
    }

    /** Per cached level, the index of the first node not held yet (what a catch-up read starts from). */
    synchronized long[] next() {
        return Arrays.copyOfRange(counts, lowest, TOP);
    }

    /** Nodes held, over all levels. */
    synchronized long size() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }
}
