package io.flagledger.contract.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    private static final byte[] ROOT = MerkleTree.root(TestTrees.rfcLeafHashes());

    @Test
    void bodyIsOriginSizeRootAndExtensionsEachOnALine() {
        assertEquals("flagledger.example/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
                new Checkpoint("flagledger.example/audit", 8, ROOT).body());
        Checkpoint withExtension = new Checkpoint("o", 8, ROOT, List.of("ext one"));
        assertEquals("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\next one\n", withExtension.body());
        assertEquals(withExtension, Checkpoint.parse(withExtension.body()));
        Checkpoint parsed = Checkpoint.parse("flagledger.example/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
        assertEquals(8, parsed.size());
        assertArrayEquals(ROOT, parsed.rootHash());
        assertEquals(List.of(), parsed.extensions());
    }

    @Test
    void parsingIsStrict() {
        String root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
        for (String bad : List.of("o\n8\n" + root, "o\n08\n" + root + "\n", "o\n-1\n" + root + "\n", "o\n8\n",
                "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n", "o\n8\nAAAA\n", "\n8\n" + root + "\n",
                "o\n8\n" + root + "\n\n", "o\n99999999999999999999\n" + root + "\n", "o\n 8\n" + root + "\n")) {
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.parse(bad), bad);
        }
    }
}
