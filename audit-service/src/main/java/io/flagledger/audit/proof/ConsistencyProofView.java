package io.flagledger.audit.proof;

import java.util.List;

/** An RFC 9162 consistency proof between two tree sizes, with the signed checkpoints at those sizes if any. */
public record ConsistencyProofView(long from, long to, List<String> hashes, String fromRoot, String toRoot,
                                   String fromCheckpoint, String toCheckpoint) {
}
