package io.flagledger.contract.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one compact-range type, against the RFC 6962 vectors (transparency-dev/merkle) and the by-the-book MTH. */
class CompactRangeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every happy-path consistency vector: seeded with the subtrees of size1 it gives root1, grown to size2, root2. */
    @Test
    void seededRangesReachBothRootsOfEveryConsistencyVector() throws Exception {
        List<byte[]> leaves = TestTrees.rfcLeafHashes();
        MemoryTree tree = MemoryTree.of(leaves);
        int checked = 0;
        for (Path file : Rfc6962VectorsTest.vectors("consistency").filter(f -> f.endsWith("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            long size1 = v.get("size1").asLong();
            long size2 = v.get("size2").asLong();
            CompactRange range = seeded(tree, size1);
            assertArrayEquals(b64(v.get("root1")), range.root(), file.toString());
            for (long i = size1; i < size2; i++) {
                range.append(leaves.get((int) i));
            }
            assertEquals(size2, range.size());
            assertArrayEquals(b64(v.get("root2")), range.root(), file.toString());
            checked++;
        }
        assertEquals(5, checked);
    }

    @Test
    void inclusionVectorRootsFromTheLeavesAlone() throws Exception {
        List<byte[]> leaves = TestTrees.rfcLeafHashes();
        int checked = 0;
        for (Path file : Rfc6962VectorsTest.vectors("inclusion").filter(f -> f.endsWith("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            CompactRange range = new CompactRange();
            leaves.subList(0, v.get("treeSize").asInt()).forEach(range::append);
            assertArrayEquals(b64(v.get("root")), range.root(), file.toString());
            checked++;
        }
        assertEquals(5, checked);
    }

    @Test
    void everySplitPointGivesTheReferenceRoot() {
        List<byte[]> leaves = TestTrees.leafHashes(70);
        MemoryTree tree = MemoryTree.of(leaves);
        for (int start = 0; start <= 70; start++) {
            CompactRange range = seeded(tree, start);
            assertEquals(Long.bitCount(start), CompactRange.nodes(start).size());
            for (int n = start; n <= 70; n++) {
                assertArrayEquals(TestTrees.referenceRoot(leaves.subList(0, n)), range.root(), "from " + start + " to " + n);
                if (n < 70) {
                    range.append(leaves.get(n));
                }
            }
        }
    }

    /** Resuming from {@link CompactRange#roots()} at every size, each completed subtree is the reference tree's node. */
    @Test
    void completedSubtreesAndResumedRootsMatchTheReferenceTree() {
        List<byte[]> leaves = TestTrees.leafHashes(70);
        MemoryTree tree = MemoryTree.of(leaves);
        for (int start = 0; start <= 70; start++) {
            CompactRange walked = new CompactRange();
            leaves.subList(0, start).forEach(walked::append);
            CompactRange range = CompactRange.of(start, walked.roots());
            assertArrayEquals(tree.root(start), range.root());
            Map<NodeId, byte[]> completed = new java.util.LinkedHashMap<>();
            for (int n = start; n < 70; n++) {
                range.append(leaves.get(n), completed::put);
            }
            // exactly the nodes of level >= 1 that end after start and within 70 leaves, each equal to the reference
            List<NodeId> expected = new ArrayList<>();
            for (int level = 1; level < 7; level++) {
                for (long idx = start >>> level; ((idx + 1) << level) <= 70; idx++) {
                    expected.add(new NodeId(level, idx));
                }
            }
            assertEquals(new java.util.HashSet<>(expected), completed.keySet(), "from " + start);
            Map<NodeId, byte[]> reference = tree.nodes(expected);
            int from = start;
            completed.forEach((id, h) -> assertArrayEquals(reference.get(id), h, id + " from " + from));
        }
    }

    @Test
    void nodesAreTheLeftmostPerfectSubtrees() {
        assertEquals(List.of(), CompactRange.nodes(0));
        assertEquals(List.of(new NodeId(2, 0), new NodeId(1, 2), new NodeId(0, 6)), CompactRange.nodes(7));
        assertEquals(List.of(new NodeId(3, 0), new NodeId(1, 4)), CompactRange.nodes(10));
    }

    @Test
    void aPrefixThatDoesNotFitItsSizeOrIsNotAHashIsRefused() {
        byte[] h = new byte[MerkleHash.SIZE];
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(3, List.of(h)));
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(4, List.of(h, h)));
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(1, List.of(new byte[31])));
        assertThrows(IllegalArgumentException.class, () -> CompactRange.of(-1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new CompactRange().append(new byte[33]));
    }

    private static CompactRange seeded(MemoryTree tree, long size) {
        List<NodeId> ids = CompactRange.nodes(size);
        Map<NodeId, byte[]> nodes = tree.nodes(ids);
        List<byte[]> roots = new ArrayList<>();
        ids.forEach(id -> roots.add(nodes.get(id)));
        return CompactRange.of(size, roots);
    }

    private static byte[] b64(JsonNode n) {
        return Base64.getDecoder().decode(n.asText());
    }
}
