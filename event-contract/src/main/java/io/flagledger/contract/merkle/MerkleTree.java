package io.flagledger.contract.merkle;

import java.util.List;

/** MTH over a list of leaf hashes (RFC 6962 §2.1), without keeping the tree. */
public final class MerkleTree {

    private MerkleTree() {
    }

    /** Root of the tree whose leaves have these hashes (each SHA-256(0x00 || entry)). */
    public static byte[] root(List<byte[]> leafHashes) {
        CompactRange frontier = new CompactRange();
        leafHashes.forEach(frontier::append);
        return frontier.root();
    }
}
