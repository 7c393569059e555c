package io.flagledger.audit.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpperLevelsTest {

    private static final MemoryTree TREE = tree(1000);

    @Test
    void holdsOnlyContiguousNodesAtOrAboveItsLevel() {
        UpperLevels upper = new UpperLevels(3);
        upper.offer(new NodeId(2, 0), node(2, 0)); // below the cached levels
        upper.offer(new NodeId(3, 1), node(3, 1)); // a gap: index 0 not held yet
        assertThat(upper.size()).isZero();
        assertThat(upper.get(new NodeId(3, 1))).isNull();

        upper.offer(new NodeId(3, 0), node(3, 0));
        upper.offer(new NodeId(3, 1), node(3, 1));
        upper.offer(new NodeId(3, 1), new byte[32]); // already held: a second offer changes nothing
        assertThat(upper.get(new NodeId(3, 0))).isEqualTo(node(3, 0));
        assertThat(upper.get(new NodeId(3, 1))).isEqualTo(node(3, 1));
        assertThat(upper.get(new NodeId(3, 2))).isNull();
        assertThat(upper.get(new NodeId(2, 0))).isNull();
        assertThat(upper.next()[0]).isEqualTo(2);
    }

    @Test
    void growsPastItsFirstArrayAndReturnsCopies() {
        UpperLevels upper = new UpperLevels(1);
        for (long i = 0; i < 500; i++) {
            upper.offer(new NodeId(1, i), node(1, i));
        }
        assertThat(upper.size()).isEqualTo(500);
        for (long i = 0; i < 500; i++) {
            assertThat(upper.get(new NodeId(1, i))).isEqualTo(node(1, i));
        }
        upper.get(new NodeId(1, 7))[0] ^= 1; // a caller cannot change what later proofs read
        assertThat(upper.get(new NodeId(1, 7))).isEqualTo(node(1, 7));
    }

    @Test
    void refusesALevelItCannotHold() {
        assertThatThrownBy(() -> new UpperLevels(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpperLevels(63)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] node(int level, long index) {
        NodeId id = new NodeId(level, index);
        return TREE.nodes(List.of(id)).get(id);
    }

    private static MemoryTree tree(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(MerkleHash.leaf(("leaf " + i).getBytes(StandardCharsets.UTF_8)));
        }
        return MemoryTree.of(leaves);
    }
}
