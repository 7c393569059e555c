package io.flagledger.contract.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flagledger.contract.Hashing;
import io.flagledger.contract.merkle.ProofVerificationException.Failure;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generated proofs verify for every index and size pair of small trees; every single-bit change is caught. */
class ProofRoundTripTest {

    private static final int MAX = 70; // crosses several powers of two, including 64

    private final List<byte[]> leaves = TestTrees.leafHashes(MAX);
    private final MemoryTree tree = MemoryTree.of(leaves);

    @Test
    void hashingFollowsRfc6962() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(MerkleHash.emptyRoot()));
        assertEquals(hex(Hashing.sha256(new byte[] {0})), hex(MerkleHash.leaf(new byte[0])));
        byte[] l = MerkleHash.leaf(new byte[] {1});
        byte[] r = MerkleHash.leaf(new byte[] {2});
        byte[] joined = new byte[65];
        joined[0] = 1;
        System.arraycopy(l, 0, joined, 1, 32);
        System.arraycopy(r, 0, joined, 33, 32);
        assertArrayEquals(Hashing.sha256(joined), MerkleHash.node(l, r));
        // Root of the RFC 6962 reference tree of 8 leaves, as published in the CT and transparency-dev test suites.
        assertEquals("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
                hex(MerkleTree.root(TestTrees.rfcLeafHashes())));
    }

    @Test
    void allRootComputationsAgreeWithTheRfcDefinition() {
        CompactRange frontier = new CompactRange();
        assertArrayEquals(MerkleHash.emptyRoot(), frontier.root());
        for (int n = 0; n <= MAX; n++) {
            byte[] expected = TestTrees.referenceRoot(leaves.subList(0, n));
            assertArrayEquals(expected, MerkleTree.root(leaves.subList(0, n)), "list, size " + n);
            assertArrayEquals(expected, tree.root(n), "stored nodes, size " + n);
            assertArrayEquals(expected, frontier.root(), "frontier, size " + n);
            if (n < MAX) {
                frontier.append(leaves.get(n));
            }
        }
    }

    /** What batch signatures rely on: the root from (index, size, leaf, path) alone is the tree's, by the book. */
    @Test
    void theRootFromAnInclusionProofIsTheReferenceRoot() throws ProofVerificationException {
        for (int size = 1; size <= MAX; size++) {
            byte[] expected = TestTrees.referenceRoot(leaves.subList(0, size));
            for (int i = 0; i < size; i++) {
                List<byte[]> proof = tree.inclusionProof(i, size);
                assertEquals(proof.size(), ProofVerifier.inclusionProofLength(i, size));
                assertArrayEquals(expected, ProofVerifier.rootFromInclusion(i, size, leaves.get(i), proof), i + " of " + size);
            }
        }
        List<byte[]> proof = tree.inclusionProof(3, 8);
        assertEquals(Failure.INDEX_OUT_OF_RANGE, assertThrows(ProofVerificationException.class,
                () -> ProofVerifier.rootFromInclusion(8, 8, leaves.get(3), proof)).failure());
        assertEquals(Failure.WRONG_PROOF_LENGTH, assertThrows(ProofVerificationException.class,
                () -> ProofVerifier.rootFromInclusion(3, 8, leaves.get(3), proof.subList(0, 2))).failure());
        assertEquals(Failure.MALFORMED_HASH, assertThrows(ProofVerificationException.class,
                () -> ProofVerifier.rootFromInclusion(3, 8, new byte[31], proof)).failure());
        assertThrows(IllegalArgumentException.class, () -> ProofVerifier.inclusionProofLength(0, 0));
    }

    @Test
    void everyInclusionProofVerifiesAndNoOtherLeafOrIndexDoes() {
        for (int size = 1; size <= MAX; size++) {
            byte[] root = tree.root(size);
            for (int i = 0; i < size; i++) {
                List<byte[]> proof = tree.inclusionProof(i, size);
                long index = i;
                long n = size;
                assertDoesNotThrow(() -> ProofVerifier.verifyInclusion(index, n, leaves.get((int) index), proof, root));
                if (size > 1) {
                    long other = (i + 1) % size;
                    assertThrows(ProofVerificationException.class,
                            () -> ProofVerifier.verifyInclusion(index, n, leaves.get((int) other), proof, root));
                    assertThrows(ProofVerificationException.class,
                            () -> ProofVerifier.verifyInclusion(other, n, leaves.get((int) index), proof, root));
                }
            }
        }
    }

    @Test
    void everyConsistencyProofVerifies() {
        for (int n = 1; n <= MAX; n++) {
            for (int m = 1; m <= n; m++) {
                List<byte[]> proof = tree.consistencyProof(m, n);
                long size1 = m;
                long size2 = n;
                assertDoesNotThrow(() -> ProofVerifier.verifyConsistency(size1, size2, tree.root(size1), tree.root(size2), proof),
                        m + " -> " + n);
                if (m < n) {
                    assertThrows(ProofVerificationException.class,
                            () -> ProofVerifier.verifyConsistency(size1, size2, tree.root(size1 - 1 == 0 ? 2 : size1 - 1),
                                    tree.root(size2), proof));
                }
            }
        }
    }

    @Test
    void anyFlippedBitIsDetected() {
        List<byte[]> proof = tree.inclusionProof(37, 67);
        for (int e = 0; e < proof.size(); e++) {
            for (int bit = 0; bit < 256; bit += 31) {
                List<byte[]> bad = flip(proof, e, bit);
                ProofVerificationException ex = assertThrows(ProofVerificationException.class,
                        () -> ProofVerifier.verifyInclusion(37, 67, leaves.get(37), bad, tree.root(67)));
                assertEquals(Failure.ROOT_MISMATCH, ex.failure());
            }
        }
        List<byte[]> consistency = tree.consistencyProof(23, 67);
        for (int e = 0; e < consistency.size(); e++) {
            List<byte[]> bad = flip(consistency, e, 7);
            assertThrows(ProofVerificationException.class,
                    () -> ProofVerifier.verifyConsistency(23, 67, tree.root(23), tree.root(67), bad));
        }
    }

    @Test
    void failuresSayWhatIsWrong() {
        byte[] root = tree.root(8);
        List<byte[]> proof = tree.inclusionProof(3, 8);
        assertFailure(Failure.INDEX_OUT_OF_RANGE, () -> ProofVerifier.verifyInclusion(8, 8, leaves.get(3), proof, root));
        assertFailure(Failure.WRONG_PROOF_LENGTH, () -> ProofVerifier.verifyInclusion(3, 8, leaves.get(3), proof.subList(0, 2), root));
        assertFailure(Failure.MALFORMED_HASH, () -> ProofVerifier.verifyInclusion(3, 8, new byte[31], proof, root));
        assertFailure(Failure.ROOT_MISMATCH, () -> ProofVerifier.verifyInclusion(3, 8, leaves.get(3), proof, tree.root(7)));
        List<byte[]> c = tree.consistencyProof(5, 8);
        assertFailure(Failure.SIZES_OUT_OF_ORDER, () -> ProofVerifier.verifyConsistency(8, 5, root, tree.root(5), c));
        assertFailure(Failure.EMPTY_FIRST_TREE, () -> ProofVerifier.verifyConsistency(0, 8, MerkleHash.emptyRoot(), root, List.of()));
        assertFailure(Failure.ROOT_MISMATCH, () -> ProofVerifier.verifyConsistency(5, 8, tree.root(4), root, c));
        assertFailure(Failure.SECOND_ROOT_MISMATCH, () -> ProofVerifier.verifyConsistency(5, 8, tree.root(5), tree.root(7), c));
    }

    @Test
    void plansReadLogarithmicallyManyNodes() {
        long size = 10_000_000_000L;
        ProofPlan inclusion = ProofPlan.inclusion(1_234_567_891L, size);
        ProofPlan consistency = ProofPlan.consistency(7_777_777_777L, size);
        // ceil(log2(size)) elements; each ragged element costs at most log2 nodes more.
        assertEquals(34, inclusion.ranges().size());
        assertEquals(true, inclusion.nodes().size() <= 2 * 34);
        assertEquals(true, consistency.nodes().size() <= 2 * 34);
        assertEquals(Long.bitCount(size), ProofPlan.root(size).nodes().size());
    }

    private static void assertFailure(Failure failure, org.junit.jupiter.api.function.Executable call) {
        assertEquals(failure, assertThrows(ProofVerificationException.class, call).failure());
    }

    private static List<byte[]> flip(List<byte[]> proof, int element, int bit) {
        List<byte[]> copy = new ArrayList<>();
        proof.forEach(h -> copy.add(h.clone()));
        copy.get(element)[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
