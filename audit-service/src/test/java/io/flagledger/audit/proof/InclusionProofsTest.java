package io.flagledger.audit.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link InclusionProofs#lowerNodesJoin} reads, with the entry, the nodes below the cached level that its proof
 * needs, so that a proof takes one round trip: for each such level the entry's sibling and the tree's right edge.
 * This checks that claim against {@link ProofPlan} (the set is written here as the SQL computes it); were a node
 * missing, the proof would still be right but cost a second query.
 */
class InclusionProofsTest {

    private static Set<NodeId> selected(long index, long size, int cachedLevel) {
        Set<NodeId> out = new HashSet<>();
        for (int level = 0; level < cachedLevel; level++) {
            out.add(new NodeId(level, (index >> level) ^ 1));
            if (((size >> level) & 1) == 1) {
                out.add(new NodeId(level, (size >> level) - 1));
            }
        }
        return out;
    }

    @Test
    void theJoinSelectsEveryLowerNodeOfTheProofAndTheRoot() {
        Random random = new Random(13);
        for (int cachedLevel : new int[] {1, 2, 8}) {
            for (long size = 1; size <= 300; size++) {
                for (long index = 0; index < size; index++) {
                    assertCovered(index, size, cachedLevel);
                }
            }
            for (int i = 0; i < 100_000; i++) {
                long size = 1 + (long) (random.nextDouble() * 20_000_000_000L);
                assertCovered((long) (random.nextDouble() * size), size, cachedLevel);
            }
        }
    }

    private static void assertCovered(long index, long size, int cachedLevel) {
        Set<NodeId> needed = new HashSet<>(ProofPlan.inclusion(index, size).nodes());
        needed.addAll(ProofPlan.root(size).nodes());
        needed.removeIf(id -> id.level() >= cachedLevel);
        assertThat(selected(index, size, cachedLevel)).as("leaf %d of %d, cached from level %d", index, size, cachedLevel)
                .containsAll(needed);
    }
}
