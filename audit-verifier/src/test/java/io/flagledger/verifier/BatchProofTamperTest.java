package io.flagledger.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSignature;
import io.flagledger.contract.merkle.MerkleHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bundles of batch-signed events (schema version 2: one Ed25519 signature per batch, an RFC 6962 path per event),
 * next to {@link BatchSignedBundleTest}: each event verifies on its own, in ranges and filtered exports, and every way
 * of altering its batch part (path, index, size, signature value, algorithm) is named for that entry.
 */
class BatchProofTamperTest {

    @TempDir
    Path dir;

    /** 40 events in batches of 16: two full batches and one of 8. */
    private final TestBundles log = TestBundles.batchSigned(40, 16);

    private Report verify(TestBundles.Bundle bundle) throws IOException {
        return new BundleVerifier(List.of(log.checkpointKey()), 2).verify(bundle.zip(dir.resolve("bundle.zip")));
    }

    @Test
    void batchSignedRangeVerifies() throws IOException {
        assertThat(EventJson.parse(log.events.get(20)).signature().batch().size()).isEqualTo(16);
        Report report = verify(log.range(1, 40, 40));
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(40);
        for (long[] r : new long[][] {{5, 12, 40}, {33, 40, 40}, {17, 17, 20}}) {
            assertThat(verify(log.range(r[0], r[1], r[2])).problems()).as("range %d..%d of %d", r[0], r[1], r[2]).isEmpty();
        }
    }

    @Test
    void batchSignedFilteredEntriesVerify() throws IOException {
        Report report = verify(log.filtered(List.of(1L, 16L, 17L, 33L, 40L), 40));
        assertThat(report.problems()).isEmpty();
    }

    /** Relayed rows become version 2 while older entries stay version 1: one bundle may hold both. */
    @Test
    void eventAndBatchSignedEntriesVerifyTogether() throws IOException {
        TestBundles mixed = new TestBundles(10);
        mixed.appendBatchSigned(10, 30, 7);
        assertThat(EventJson.parse(mixed.events.get(0)).schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION);
        assertThat(EventJson.parse(mixed.events.get(39)).schemaVersion()).isEqualTo(AuditEvent.SCHEMA_VERSION_BATCH);
        Report report = new BundleVerifier(List.of(mixed.checkpointKey()), 2).verify(mixed.range(1, 40, 40)
                .zip(dir.resolve("mixed.zip")));
        assertThat(report.problems()).isEmpty();
    }

    /** Ways to alter the batch part of event 6's signature, and what the verifier says about each. */
    enum Tamper {
        PATH_HASH("batch signature does not match", b -> batch(b.size(), b.index(), replace(b.path(), 0, otherHash()))),
        PATH_ORDER("batch signature does not match", b -> batch(b.size(), b.index(), swap(b.path()))),
        INDEX("batch signature does not match", b -> batch(b.size(), b.index() + 1, b.path())),
        SIZE("batch signature does not match", b -> batch(b.size() - 1, b.index(), b.path())),
        PATH_TOO_SHORT("needs 4 hashes, got 3", b -> batch(b.size(), b.index(), b.path().subList(0, 3))),
        PATH_NOT_CANONICAL("canonical standard base64", b -> batch(b.size(), b.index(), replace(b.path(), 2,
                b.path().get(2).substring(0, 42) + nextBase64(b.path().get(2).charAt(42)) + "="))),
        INDEX_OUT_OF_RANGE("signature.batch.index", b -> batch(b.size(), b.size(), b.path()));

        final String detail;
        final UnaryOperator<EventSignature.Batch> edit;

        Tamper(String detail, UnaryOperator<EventSignature.Batch> edit) {
            this.detail = detail;
            this.edit = edit;
        }
    }

    /**
     * The forged event is appended to the log, so its leaf hash, the tree, the checkpoint and the manifest all agree
     * with it: only the batch proof and signature can tell, and the verifier names exactly that.
     */
    @ParameterizedTest
    @EnumSource(Tamper.class)
    void alteredBatchProofIsNamed(Tamper tamper) throws IOException {
        AuditEvent original = EventJson.parse(log.events.get(5));
        EventSignature s = original.signature();
        AuditEvent forged = original.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                tamper.edit.apply(s.batch())));
        log.append(EventJson.canonicalBytes(forged));
        Report report = verify(log.range(1, 41, 41));
        assertThat(report.problems()).as("problems").singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("seq 41");
            assertThat(p.check()).isEqualTo("event signature");
            assertThat(p.detail()).contains(tamper.detail);
        });
    }

    @Test
    void signatureValueOfAnotherBatchIsNamed() throws IOException {
        AuditEvent original = EventJson.parse(log.events.get(5));
        String otherBatch = EventJson.parse(log.events.get(20)).signature().value();
        EventSignature s = original.signature();
        log.append(EventJson.canonicalBytes(original.withSignature(new EventSignature(s.keyId(), s.algorithm(), otherBatch, s.batch()))));
        Report report = verify(log.range(1, 41, 41));
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("seq 41");
            assertThat(p.detail()).contains("batch signature does not match");
        });
    }

    @Test
    void batchSignedEventPassedOffAsVersionOneIsNamed() throws IOException {
        AuditEvent original = EventJson.parse(log.events.get(5));
        EventSignature s = original.signature();
        log.append(EventJson.canonicalBytes(original.withSignature(new EventSignature(s.keyId(), EventSignature.ED25519,
                s.value(), s.batch()))));
        Report report = verify(log.range(1, 41, 41));
        assertThat(report.problems()).singleElement().satisfies(p -> assertThat(p.check()).isEqualTo("event signature"));
    }

    /** The line itself edited in the bundle: its leaf hash, the root, the file hash and its batch proof all fail. */
    @Test
    void pathEditedInTheBundleIsNamed() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        String first = EventJson.parse(log.events.get(9)).signature().batch().path().get(0);
        bundle.line("events.jsonl", 9, l -> l.replace(first, otherHash()));
        Report report = verify(bundle);
        assertThat(report.verified()).isFalse();
        assertThat(report.problems()).extracting(p -> p.where() + ": " + p.check()).contains("seq 10: leaf hash",
                "seq 10: event signature", "events.jsonl: tree root", "events.jsonl: manifest hash");
    }

    private static EventSignature.Batch batch(int size, int index, List<String> path) {
        return new EventSignature.Batch(size, index, path);
    }

    private static String otherHash() {
        return TestBundles.b64(MerkleHash.leaf("not in the batch".getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> replace(List<String> path, int i, String h) {
        List<String> out = new ArrayList<>(path);
        out.set(i, h);
        return out;
    }

    private static List<String> swap(List<String> path) {
        List<String> out = new ArrayList<>(path);
        java.util.Collections.swap(out, 0, 1);
        return out;
    }

    /** A base64 character with the same 4 data bits as {@code c} and other pad bits (the 43rd of a 32-byte hash). */
    private static char nextBase64(char c) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int i = alphabet.indexOf(c);
        return alphabet.charAt((i & ~3) | ((i + 1) & 3));
    }
}
