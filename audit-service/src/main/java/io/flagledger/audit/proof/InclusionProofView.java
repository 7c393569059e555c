package io.flagledger.audit.proof;

import java.util.List;

/**
 * An RFC 9162 inclusion proof as served: verify with
 * {@code ProofVerifier.verifyInclusion(leafIndex, treeSize, leafHash, hashes, root)} where root comes from the
 * signed {@code checkpoint} note (when present; {@code rootHash} is the server's own computation).
 */
public record InclusionProofView(long leafIndex, long treeSize, String leafHash, List<String> hashes, String rootHash,
                                 String checkpoint) {
}
