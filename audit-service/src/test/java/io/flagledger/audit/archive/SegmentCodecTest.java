package io.flagledger.audit.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerifier;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A segment proves its signed root on its own, and says which check fails when it was altered. */
class SegmentCodecTest {

    private final NoteSigner signer = new NoteSigner("test/log", Ed25519Keys.generate().getPrivate());
    private final NoteVerifier verifier = new NoteVerifier(List.of(signer.verifierKey()));

    @Test
    void everySegmentBoundaryVerifiesAgainstItsCheckpoint() {
        for (int first = 1; first <= 17; first++) {
            for (int last = first; last <= 19; last += 3) {
                byte[] object = segment(first, last, List.of());
                SegmentCodec.Verified v = SegmentCodec.verify(object, verifier);
                assertThat(v.firstSeq()).isEqualTo(first);
                assertThat(v.entries()).isEqualTo(last - first + 1);
            }
        }
        assertThat(segment(3, 9, List.of())).as("deterministic bytes").isEqualTo(segment(3, 9, List.of()));
    }

    @Test
    void alterationsAreNamed() {
        assertThatThrownBy(() -> SegmentCodec.verify(segment(5, 12, List.of("edit")), verifier))
                .hasMessageContaining("seq 7: the event does not hash to its leaf hash");
        assertThatThrownBy(() -> SegmentCodec.verify(segment(5, 12, List.of("rehash")), verifier))
                .hasMessageContaining("different root than the signed checkpoint of size 12");
        assertThatThrownBy(() -> SegmentCodec.verify(segment(5, 12, List.of("drop")), verifier))
                .hasMessageContaining("has seq 8, expected 7");
        NoteVerifier stranger = new NoteVerifier(List.of(new NoteSigner("test/log", Ed25519Keys.generate().getPrivate()).verifierKey()));
        assertThatThrownBy(() -> SegmentCodec.verify(segment(5, 12, List.of()), stranger))
                .hasMessageContaining("checkpoint note does not verify");
        assertThatThrownBy(() -> SegmentCodec.verify("not gzip".getBytes(StandardCharsets.UTF_8), verifier))
                .isInstanceOf(SegmentInvalidException.class);
    }

    /** Seqs first..last of a log of {@code last} entries; {@code damage}: edit/rehash seq 7, drop seq 7. */
    private byte[] segment(long first, long last, List<String> damage) {
        MemoryTree tree = new MemoryTree();
        List<SegmentEntry> entries = new ArrayList<>();
        for (long seq = 1; seq <= last; seq++) {
            String json = "{\"n\":" + seq + "}";
            byte[] leaf = MerkleHash.leaf(json.getBytes(StandardCharsets.UTF_8));
            tree.append(leaf);
            if (seq < first || (seq == 7 && damage.contains("drop"))) {
                continue;
            }
            String stored = seq == 7 && (damage.contains("edit") || damage.contains("rehash")) ? "{\"n\":700}" : json;
            byte[] storedLeaf = seq == 7 && damage.contains("rehash") ? MerkleHash.leaf(stored.getBytes(StandardCharsets.UTF_8)) : leaf;
            entries.add(new SegmentEntry(seq, stored, storedLeaf, OffsetDateTime.parse("2026-11-25T12:00:00Z"), "flag.changes-0@" + seq));
        }
        List<NodeId> ids = CompactRange.nodes(first - 1);
        Map<NodeId, byte[]> nodes = tree.nodes(ids);
        List<SubtreeHash> prefix = ids.stream().map(id -> new SubtreeHash(id.level(), id.index(), nodes.get(id))).toList();
        String note = signer.sign(new Checkpoint("test/log", last, tree.root()).body());
        return SegmentCodec.encode("test/log", first, last, note, prefix, entries);
    }
}
