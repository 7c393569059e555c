package io.flagledger.audit.selfcheck;

import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.ledger.EntryColumns;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.SafeText;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one pass over the ledger in sequence order: two trees grown side by side, one from the stored
 * leaf hashes and one from re-hashing the stored canonical payloads, each compared with every signed
 * checkpoint as the walk reaches its size; each row's query columns (not covered by the leaf hash) recomputed
 * from its signed payload; and the tree nodes the stored leaves complete, collected for comparison with the tree
 * store. A walk starts at the empty tree (full scan) or resumes from a verified compact range (incremental run).
 * Plain Java, fed row by row, so it is easy to test and reason about.
 */
final class LedgerWalk {

    static final int MAX_PROBLEMS = 100;

    private final List<StoredCheckpoint> checkpoints; // ascending tree size, signatures already checked
    private final CompactRange stored;
    private final CompactRange rehashed;
    private final List<String> problems;
    private Map<NodeId, byte[]> completed = new LinkedHashMap<>();
    private int nextCheckpoint;
    private long lastSeq;

    /** A walk from the first entry. */
    LedgerWalk(List<StoredCheckpoint> checkpoints, List<String> problems) {
        this(new CompactRange(), checkpoints, problems);
    }

    /**
     * A walk that resumes after the entries {@code start} covers, taken as verified; {@code checkpoints} should be
     * the ones above its size (one at or below it is not compared: the caller anchors the start point to it).
     */
    LedgerWalk(CompactRange start, List<StoredCheckpoint> checkpoints, List<String> problems) {
        this.stored = CompactRange.of(start.size(), start.roots());
        this.rehashed = CompactRange.of(start.size(), start.roots());
        this.lastSeq = start.size();
        this.checkpoints = checkpoints.stream().filter(c -> c.treeSize() > start.size() || start.size() == 0).toList();
        this.problems = problems;
        compareReached();
    }

    /** {@code columns} are the row's stored query columns, or {@code null} to check only the hashes. */
    void row(long seq, String canonicalJson, byte[] leafHash, EntryColumns columns) {
        if (seq != lastSeq + 1) {
            problem(seq <= lastSeq ? "sequence number " + seq + " appears out of order after " + lastSeq
                    : "sequence numbers " + (lastSeq + 1) + ".." + (seq - 1) + " are missing: rows were deleted");
        }
        lastSeq = seq;
        // A purged payload lives on in a verified archive segment (checked against its signed root when sealed).
        byte[] recomputed = canonicalJson == null ? leafHash : MerkleHash.leaf(canonicalJson.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(recomputed, leafHash)) {
            problem("seq " + seq + ": the stored payload does not hash to the stored leaf hash: the payload was edited");
        }
        if (canonicalJson != null && columns != null) {
            columns(seq, canonicalJson, columns);
        }
        stored.append(leafHash.length == MerkleHash.SIZE ? leafHash : new byte[MerkleHash.SIZE], completed::put);
        rehashed.append(recomputed);
        compareReached();
    }

    /** The stored query columns must be what the signed payload says: else searches and exports select wrongly. */
    private void columns(long seq, String canonicalJson, EntryColumns columns) {
        EntryColumns signed;
        try {
            signed = EntryColumns.of(EventJson.parse(canonicalJson));
        } catch (RuntimeException e) { // not even an event: its columns cannot be right
            problem("seq " + seq + ": the stored payload is not a contract event (" + SafeText.escape(e.getMessage()) + ")");
            return;
        }
        for (String column : signed.differences(columns)) {
            problem("seq " + seq + ": column " + column + " differs from the signed event: the row was edited");
        }
    }

    /** Call after the last row: checkpoints larger than the ledger mean rows at its end are gone. */
    void finish() {
        for (int i = nextCheckpoint; i < checkpoints.size(); i++) {
            problem("checkpoint of size " + checkpoints.get(i).treeSize() + " was signed but the ledger ends at "
                    + "sequence number " + lastSeq + ": entries were deleted");
        }
    }

    long size() {
        return stored.size();
    }

    /** The tree of the stored leaf hashes so far: root and compact range of a healthy walk are what it verified. */
    CompactRange storedRange() {
        return CompactRange.of(stored.size(), stored.roots());
    }

    /** The nodes (level 1 and up) the stored leaves completed since the last call, to compare with the tree store. */
    Map<NodeId, byte[]> drainCompleted() {
        Map<NodeId, byte[]> out = completed;
        completed = new LinkedHashMap<>();
        return out;
    }

    long lastSeq() {
        return lastSeq;
    }

    List<String> problems() {
        return problems;
    }

    private void compareReached() {
        // By sequence number, not by rows seen, so a deleted row shows up as a wrong root, not only as a gap.
        while (nextCheckpoint < checkpoints.size() && checkpoints.get(nextCheckpoint).treeSize() <= lastSeq) {
            StoredCheckpoint c = checkpoints.get(nextCheckpoint++);
            if (!MessageDigest.isEqual(stored.root(), c.rootHash())) {
                problem("checkpoint of size " + c.treeSize() + ": the stored leaf hashes give root "
                        + b64(stored.root()) + ", the signed root is " + b64(c.rootHash()));
            }
            if (!MessageDigest.isEqual(rehashed.root(), c.rootHash())) {
                problem("checkpoint of size " + c.treeSize() + ": the re-hashed payloads give root "
                        + b64(rehashed.root()) + ", the signed root is " + b64(c.rootHash()));
            }
        }
    }

    void problem(String text) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(text);
        }
    }

    private static String b64(byte[] h) {
        return Base64.getEncoder().encodeToString(h);
    }
}
