package io.flagledger.audit.archive;

/** A perfect subtree root of the Merkle tree: 2^level leaves starting at leaf {@code index << level}. */
public record SubtreeHash(int level, long index, byte[] hash) {
}
