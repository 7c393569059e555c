package io.flagledger.contract.merkle;

import static io.flagledger.contract.merkle.ProofVerificationException.Failure.EMPTY_FIRST_TREE;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.INDEX_OUT_OF_RANGE;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.MALFORMED_HASH;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.ROOT_MISMATCH;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.SECOND_ROOT_MISMATCH;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.SIZES_OUT_OF_ORDER;
import static io.flagledger.contract.merkle.ProofVerificationException.Failure.WRONG_PROOF_LENGTH;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Verifies inclusion (RFC 9162 §2.1.3.2) and consistency (§2.1.4.2) proofs. Sizes are unsigned in the RFC;
 * here they are non-negative longs, which covers any log this project will hold.
 */
public final class ProofVerifier {

    private ProofVerifier() {
    }

    /** Checks that the leaf with {@code leafHash} sits at {@code index} in the tree of {@code size} with {@code root}. */
    public static void verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root)
            throws ProofVerificationException {
        checkRange(index, size);
        checkHash("leaf hash", leafHash);
        checkHash("root hash", root);
        byte[] r = rootFromInclusion(index, size, leafHash, proof);
        if (!MessageDigest.isEqual(r, root)) {
            throw new ProofVerificationException(ROOT_MISMATCH, "inclusion proof for leaf " + index
                    + " leads to root " + hex(r) + ", not to the expected " + hex(root) + " of size " + size);
        }
    }

    /**
     * The root of the tree of {@code size} in which the leaf with {@code leafHash} sits at {@code index}, as the
     * audit path {@code proof} (RFC 9162 §2.1.3.2) leads to it: the part of {@link #verifyInclusion} that does not
     * need the root, for signed statements that carry no root (batch signatures of event-contract).
     *
     * @throws ProofVerificationException when the index is outside the tree, a hash is not 32 bytes or the proof
     *                                    does not have the {@link #inclusionProofLength} the RFC requires
     */
    public static byte[] rootFromInclusion(long index, long size, byte[] leafHash, List<byte[]> proof)
            throws ProofVerificationException {
        checkRange(index, size);
        checkHash("leaf hash", leafHash);
        checkProofHashes(proof);
        int expected = inclusionProofLength(index, size);
        if (proof.size() != expected) {
            throw new ProofVerificationException(WRONG_PROOF_LENGTH, "inclusion proof for leaf " + index
                    + " in a tree of size " + size + " needs " + expected + " hashes, got " + proof.size());
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleHash.node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = MerkleHash.node(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) { // unreachable after the length check; kept because it is the RFC's own guard
            throw new ProofVerificationException(WRONG_PROOF_LENGTH, "inclusion proof is too short");
        }
        return r;
    }

    /** How many hashes the inclusion proof of leaf {@code index} in a tree of {@code size} has (0 ≤ index < size). */
    public static int inclusionProofLength(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index " + index + " is not inside a tree of size " + size);
        }
        int inner = 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
        return inner + Long.bitCount(index >>> inner);
    }

    /** Checks that the tree of {@code size2} with {@code root2} extends the tree of {@code size1} with {@code root1}. */
    public static void verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof)
            throws ProofVerificationException {
        if (size1 < 0 || size2 < 0 || size1 > size2) {
            throw new ProofVerificationException(SIZES_OUT_OF_ORDER,
                    "first tree size " + size1 + " is larger than second tree size " + size2);
        }
        if (size1 == 0) {
            throw new ProofVerificationException(EMPTY_FIRST_TREE,
                    "every tree is consistent with the empty tree: a proof from size 0 proves nothing");
        }
        if (size1 == size2) { // nothing is hashed: the roots must simply be the same bytes
            if (proof == null) {
                throw new ProofVerificationException(MALFORMED_HASH, "proof is missing");
            }
            if (!proof.isEmpty()) {
                throw new ProofVerificationException(WRONG_PROOF_LENGTH,
                        "trees of equal size " + size1 + " need an empty proof, got " + proof.size() + " hashes");
            }
            if (root1 == null || root2 == null || !MessageDigest.isEqual(root1, root2)) {
                throw new ProofVerificationException(ROOT_MISMATCH,
                        "two different roots for the same tree size " + size1);
            }
            return;
        }
        checkHash("first root hash", root1);
        checkHash("second root hash", root2);
        checkProofHashes(proof);
        int shift = Long.numberOfTrailingZeros(size1);
        boolean powerOfTwo = size1 == 1L << shift;
        int inner = 64 - Long.numberOfLeadingZeros((size1 - 1) ^ (size2 - 1));
        int border = Long.bitCount((size1 - 1) >>> inner);
        int expected = (powerOfTwo ? 0 : 1) + inner - shift + border;
        if (proof.size() != expected) {
            throw new ProofVerificationException(WRONG_PROOF_LENGTH, "consistency proof from size " + size1
                    + " to " + size2 + " needs " + expected + " hashes, got " + proof.size());
        }
        List<byte[]> path = proof;
        if (powerOfTwo) {
            path = new java.util.ArrayList<>(proof.size() + 1);
            path.add(root1);
            path.addAll(proof);
        }
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                throw new ProofVerificationException(WRONG_PROOF_LENGTH, "consistency proof is too long");
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleHash.node(c, fr);
                sr = MerkleHash.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = MerkleHash.node(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            throw new ProofVerificationException(WRONG_PROOF_LENGTH, "consistency proof is too short");
        }
        if (!MessageDigest.isEqual(fr, root1)) {
            throw new ProofVerificationException(ROOT_MISMATCH, "consistency proof leads to root " + hex(fr)
                    + " for size " + size1 + ", not to the expected " + hex(root1));
        }
        if (!MessageDigest.isEqual(sr, root2)) {
            throw new ProofVerificationException(SECOND_ROOT_MISMATCH, "consistency proof leads to root " + hex(sr)
                    + " for size " + size2 + ", not to the expected " + hex(root2));
        }
    }

    private static void checkRange(long index, long size) throws ProofVerificationException {
        if (index < 0 || size < 0 || index >= size) {
            throw new ProofVerificationException(INDEX_OUT_OF_RANGE,
                    "leaf index " + index + " is not inside a tree of size " + size);
        }
    }

    private static void checkProofHashes(List<byte[]> proof) throws ProofVerificationException {
        if (proof == null) {
            throw new ProofVerificationException(MALFORMED_HASH, "proof is missing");
        }
        for (int i = 0; i < proof.size(); i++) {
            checkHash("proof hash " + i, proof.get(i));
        }
    }

    private static void checkHash(String what, byte[] hash) throws ProofVerificationException {
        if (hash == null || hash.length != MerkleHash.SIZE) {
            throw new ProofVerificationException(MALFORMED_HASH, what + " must be " + MerkleHash.SIZE
                    + " bytes, is " + (hash == null ? "missing" : hash.length + " bytes"));
        }
    }

    private static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
