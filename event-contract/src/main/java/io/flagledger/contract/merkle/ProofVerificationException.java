package io.flagledger.contract.merkle;

/** A Merkle proof that does not prove what it claims; {@link #failure()} says which check failed. */
public class ProofVerificationException extends Exception {

    /** Which check failed, so callers (and the offline verifier) can report it precisely. */
    public enum Failure {
        /** The leaf index is not below the tree size. */
        INDEX_OUT_OF_RANGE,
        /** The first tree is larger than the second. */
        SIZES_OUT_OF_ORDER,
        /** Consistency with the empty tree proves nothing, so it is refused. */
        EMPTY_FIRST_TREE,
        /** A hash (leaf, root or proof element) is not 32 bytes. */
        MALFORMED_HASH,
        /** The proof has more or fewer hashes than the sizes require. */
        WRONG_PROOF_LENGTH,
        /** The proof does not lead to the expected root (of the only, or of the first, tree). */
        ROOT_MISMATCH,
        /** The consistency proof leads to the first root but not to the second. */
        SECOND_ROOT_MISMATCH
    }

    private final Failure failure;

    public ProofVerificationException(Failure failure, String detail) {
        super(detail);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
