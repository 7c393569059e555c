package io.flagledger.audit.selfcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
