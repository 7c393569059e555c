package io.flagledger.audit.selfcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.MerkleTree;
import io.flagledger.contract.merkle.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The walk's bookkeeping without a database: which tampering yields which finding. */
class LedgerWalkTest {

    private final List<String> payloads = List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}");
    private final List<StoredCheckpoint> checkpoints = List.of(checkpoint(0), checkpoint(3), checkpoint(5));

    @Test
    void untouchedLedgerHasNoProblems() {
        assertThat(walk(List.of(1L, 2L, 3L, 4L, 5L), payloads)).isEmpty();
    }

    @Test
    void gapIsReportedAndTheNextCheckpointNoLongerMatches() {
        List<String> problems = walk(List.of(1L, 2L, 4L, 5L),
                List.of(payloads.get(0), payloads.get(1), payloads.get(3), payloads.get(4)));
        assertThat(problems).anyMatch(p -> p.startsWith("sequence numbers 3..3 are missing"))
                .anyMatch(p -> p.startsWith("checkpoint of size 3: the stored leaf hashes give root"));
    }

    @Test
    void truncatedLedgerIsReported() {
        assertThat(walk(List.of(1L, 2L, 3L), payloads.subList(0, 3)))
                .containsExactly("checkpoint of size 5 was signed but the ledger ends at sequence number 3: entries were deleted");
    }

    @Test
    void editedPayloadIsReportedByRow() {
        List<String> edited = new ArrayList<>(payloads);
        edited.set(1, "{\"n\":22}");
        List<String> problems = new ArrayList<>();
        LedgerWalk walk = new LedgerWalk(checkpoints, problems);
        for (int i = 0; i < 5; i++) {
            walk.row(i + 1, edited.get(i), leaf(payloads.get(i)), null);
        }
        walk.finish();
        assertThat(problems).anyMatch(p -> p.startsWith("seq 2: the stored payload does not hash"))
                .anyMatch(p -> p.startsWith("checkpoint of size 3: the re-hashed payloads give root"))
                .noneMatch(p -> p.contains("stored leaf hashes give root"));
    }

    /**
     * Resumed from the compact range a first walk reached at 3, a walk meets only the later checkpoints (the one at 3
     * is the caller's anchor), completes exactly the nodes the reference tree has there, and still finds an edit.
     */
    @Test
    void resumedWalkMeetsOnlyLaterCheckpointsAndCompletesTheReferenceNodes() {
        List<String> problems = new ArrayList<>();
        LedgerWalk first = new LedgerWalk(checkpoints, problems);
        for (int i = 0; i < 3; i++) {
            first.row(i + 1, payloads.get(i), leaf(payloads.get(i)), null);
        }
        first.drainCompleted();
        CompactRange at3 = first.storedRange();
        assertThat(at3.root()).isEqualTo(checkpoint(3).rootHash());

        List<StoredCheckpoint> forgedAt3 = List.of(checkpoint(0), new StoredCheckpoint(3, new byte[32], "o", "k", "note", null),
                checkpoint(5));
        LedgerWalk resumed = new LedgerWalk(at3, forgedAt3, problems);
        for (int i = 3; i < 5; i++) {
            resumed.row(i + 1, payloads.get(i), leaf(payloads.get(i)), null);
        }
        resumed.finish();
        assertThat(problems).isEmpty();
        assertThat(resumed.size()).isEqualTo(5);
        Map<NodeId, byte[]> completed = resumed.drainCompleted();
        assertThat(completed.keySet()).containsExactly(new NodeId(1, 1), new NodeId(2, 0));
        MemoryTree reference = MemoryTree.of(payloads.stream().map(LedgerWalkTest::leaf).toList());
        Map<NodeId, byte[]> expected = reference.nodes(completed.keySet());
        completed.forEach((id, h) -> assertThat(h).as(id.toString()).isEqualTo(expected.get(id)));
        assertThat(resumed.drainCompleted()).isEmpty();

        LedgerWalk tampered = new LedgerWalk(at3, checkpoints, problems);
        tampered.row(4, payloads.get(3), leaf(payloads.get(3)), null);
        tampered.row(5, "{\"n\":55}", leaf(payloads.get(4)), null);
        tampered.finish();
        assertThat(problems).anyMatch(p -> p.startsWith("seq 5: the stored payload does not hash"))
                .anyMatch(p -> p.startsWith("checkpoint of size 5: the re-hashed payloads give root"));
    }

    @Test
    void aResumedWalkThatFindsFewerEntriesThanSignedSaysSo() {
        List<String> problems = new ArrayList<>();
        LedgerWalk first = new LedgerWalk(checkpoints, problems);
        for (int i = 0; i < 3; i++) {
            first.row(i + 1, payloads.get(i), leaf(payloads.get(i)), null);
        }
        LedgerWalk resumed = new LedgerWalk(first.storedRange(), checkpoints, problems);
        resumed.row(5, payloads.get(4), leaf(payloads.get(4)), null);
        resumed.finish();
        assertThat(problems).anyMatch(p -> p.startsWith("sequence numbers 4..4 are missing"));
    }

    private List<String> walk(List<Long> seqs, List<String> rows) {
        List<String> problems = new ArrayList<>();
        LedgerWalk walk = new LedgerWalk(checkpoints, problems);
        for (int i = 0; i < seqs.size(); i++) {
            walk.row(seqs.get(i), rows.get(i), leaf(rows.get(i)), null);
        }
        walk.finish();
        return problems;
    }

    private StoredCheckpoint checkpoint(int size) {
        byte[] root = MerkleTree.root(payloads.subList(0, size).stream().map(LedgerWalkTest::leaf).toList());
        return new StoredCheckpoint(size, root, "o", "k", "note", null);
    }

    private static byte[] leaf(String payload) {
        return MerkleHash.leaf(payload.getBytes(StandardCharsets.UTF_8));
    }
}
