package io.flagledger.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.note.NoteSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class BundleVerifierTest {

    @TempDir
    Path dir;

    private final TestBundles log = new TestBundles(40);

    private Report verify(TestBundles.Bundle bundle) throws IOException {
        return new BundleVerifier(List.of(log.checkpointKey()), 2).verify(bundle.zip(dir.resolve("bundle.zip")));
    }

    private static void assertProblem(Report report, String where, String check, String detail) {
        assertThat(report.verified()).isFalse();
        assertThat(report.problems()).as("problems").anyMatch(p -> p.where().equals(where) && p.check().equals(check)
                && p.detail().contains(detail));
    }

    @Test
    void wholeLogRangeVerifies() throws IOException {
        Report report = verify(log.range(1, 40, 40));
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(40);
        assertThat(report.summary()).contains("40 entries (seq 1..40)", "checkpoint of size 40", "ticket INC-1");
    }

    @Test
    void rangeInTheMiddleVerifiesThroughItsPrefixAndConsistencyProof() throws IOException {
        for (long[] r : new long[][] {{5, 12, 40}, {1, 7, 8}, {17, 33, 33}, {8, 8, 9}, {2, 40, 40}}) {
            Report report = verify(log.range(r[0], r[1], r[2]));
            assertThat(report.problems()).as("range %d..%d of %d", r[0], r[1], r[2]).isEmpty();
        }
    }

    @Test
    void filteredEntriesVerifyByInclusionProofs() throws IOException {
        Report report = verify(log.filtered(List.of(2L, 9L, 16L, 23L, 40L), 40));
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(5);
    }

    @Test
    void filteredEntriesMatchingTheFilterVerify() throws IOException {
        ObjectNode filter = JsonNodeFactory.instance.objectNode().put("flag", "flag-1").put("actorType", "user")
                .put("from", "2000-01-01T00:00:00Z").put("to", "2999-01-01T00:00:00Z");
        Report report = verify(log.filtered(List.of(2L, 9L, 16L, 23L, 37L), 40, filter));
        assertThat(report.problems()).isEmpty();
    }

    /**
     * The service selects a filtered export by query columns outside the leaf hash: an entry whose column was edited
     * comes with a valid inclusion proof, and only re-deriving the filter from its signed event shows it does not belong.
     */
    @ParameterizedTest
    @CsvSource({"flag, flag-1, flag-3", "project, other, shop", "environment, staging, production",
            "actor, mallory, alice", "actorType, service, user", "action, flag.deleted, flag.toggled",
            "correlationId, ci-9, ci-10", "source, approval-service, flag-api", "channel, api,"})
    void foreignEntryInAFilteredExportIsNamed(String field, String value, String signed) throws IOException {
        // seq 11 is event 10: flag-3, actor alice, correlation ci-10, no request metadata
        ObjectNode filter = JsonNodeFactory.instance.objectNode().put(field, value);
        Report report = verify(log.filtered(List.of(11L), 40, filter));
        assertProblem(report, "seq 11", "selection", "the export selected " + field + " = '" + value
                + "', the signed event has " + (signed == null ? "none" : "'" + signed + "'"));
        assertThat(report.problems()).as("only the selection is wrong").allMatch(p -> p.check().equals("selection"));
    }

    @Test
    void entryOutsideTheFilteredTimeWindowIsNamed() throws IOException {
        Report report = verify(log.filtered(List.of(3L, 4L), 40, JsonNodeFactory.instance.objectNode()
                .put("flag", "flag-2").put("to", "2000-01-01T00:00:00Z")));
        assertProblem(report, "seq 3", "selection", "the export selected events before 2000-01-01T00:00:00Z");
        assertProblem(report, "seq 4", "selection", "the export selected flag = 'flag-2', the signed event has 'flag-3'");
    }

    @Test
    void filterFieldTheVerifierCannotRecheckFailsTheBundle() throws IOException {
        Report report = verify(log.filtered(List.of(2L), 40, JsonNodeFactory.instance.objectNode().put("colour", "red")));
        assertProblem(report, "manifest.json", "selection", "selection.filter.colour is a field this verifier cannot re-check");
    }

    @Test
    void editedEventIsNamedBySequenceNumberAndCheck() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        bundle.line("events.jsonl", 16, l -> l.replace("\"alice\"", "\"mallory\""));
        Report report = verify(bundle);
        assertProblem(report, "events.jsonl", "manifest hash", "the file was changed");
        assertProblem(report, "seq 17", "leaf hash", "the event's bytes were changed");
        assertProblem(report, "seq 17", "event signature", "does not match the content");
        assertProblem(report, "events.jsonl", "tree root", "entries were changed");
    }

    @Test
    void editedEventWithARewrittenManifestStillFailsTheManifestSignature() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        bundle.line("events.jsonl", 3, l -> l.replace("\"alice\"", "\"mallory\""));
        NoteSigner attacker = new NoteSigner(TestBundles.ORIGIN, Ed25519Keys.generate().getPrivate());
        TestBundles.seal(bundle, TestBundles.manifest(bundle), attacker);
        Report report = verify(bundle);
        assertThat(report.problems()).noneMatch(p -> p.check().equals("manifest hash"));
        assertProblem(report, "manifest.sig", "manifest signature", "no signature by a trusted key");
        assertProblem(report, "seq 4", "leaf hash", "");
    }

    @Test
    void removedEntryIsNamed() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        bundle.removeLine("events.jsonl", 9);
        bundle.removeLine("entries.jsonl", 9);
        Report report = verify(bundle);
        assertProblem(report, "seq 10", "sequence", "is missing from the range 1..40");
        assertProblem(report, "events.jsonl", "consistency proof", "a tree of size 39");
        assertProblem(report, "manifest.json", "event count", "announces 40 entries, the bundle holds 39");
    }

    @Test
    void removedLastEntryIsNamed() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 30, 40);
        bundle.removeLine("events.jsonl", 29);
        bundle.removeLine("entries.jsonl", 29);
        assertProblem(verify(bundle), "seq 30", "sequence", "is missing from the range 1..30");
    }

    @Test
    void reorderedEntriesBreakTheRoot() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        bundle.swapLines("events.jsonl", 4, 20);
        bundle.swapLines("entries.jsonl", 4, 20);
        Report report = verify(bundle);
        assertProblem(report, "seq 6", "sequence", "appears after seq 21");
        assertProblem(report, "seq 5", "sequence", "appears after seq 20");
        assertThat(report.problems()).noneMatch(p -> p.detail().contains("missing"));
        assertProblem(report, "events.jsonl", "tree root", "reordered");
    }

    @Test
    void payloadsSwappedUnderTheirSequenceNumbersBreakTheRoot() throws IOException {
        // What a database superuser swapping two rows' payloads and leaf hashes produces: every line is internally
        // consistent and correctly signed, only the order in the log is wrong.
        TestBundles.Bundle bundle = log.range(1, 20, 40);
        String events = bundle.text("events.jsonl");
        List<String> lines = new java.util.ArrayList<>(events.lines().toList());
        java.util.Collections.swap(lines, 2, 5);
        bundle.text("events.jsonl", String.join("\n", lines) + "\n");
        bundle.line("entries.jsonl", 2, l -> l.replaceAll("\"leaf_hash\":\"[^\"]+\"", "\"leaf_hash\":\""
                + TestBundles.b64(MerkleHash.leaf(log.events.get(5))) + "\""));
        bundle.line("entries.jsonl", 5, l -> l.replaceAll("\"leaf_hash\":\"[^\"]+\"", "\"leaf_hash\":\""
                + TestBundles.b64(MerkleHash.leaf(log.events.get(2))) + "\""));
        Report report = verify(bundle);
        assertThat(report.problems()).noneMatch(p -> p.check().equals("leaf hash") || p.check().equals("event signature"));
        assertProblem(report, "events.jsonl", "consistency proof", "does not extend");
    }

    @Test
    void filteredEntryAtTheWrongPositionFailsItsInclusionProof() throws IOException {
        TestBundles.Bundle bundle = log.filtered(List.of(3L, 9L, 27L), 40);
        bundle.line("entries.jsonl", 1, l -> l.replace("\"seq\":9", "\"seq\":10"));
        assertProblem(verify(bundle), "seq 10", "inclusion proof", "not at this position");
    }

    @Test
    void forgedCheckpointIsRefused() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 40, 40);
        NoteSigner attacker = new NoteSigner(TestBundles.ORIGIN, Ed25519Keys.generate().getPrivate());
        bundle.text("checkpoint.txt", attacker.sign(new Checkpoint(TestBundles.ORIGIN, 40, MerkleHash.leaf(new byte[] {1})).body()));
        assertProblem(verify(bundle), "checkpoint.txt", "checkpoint signature", "no signature by a trusted key");
    }

    @Test
    void eventSignedWithAKeyBoundToAnotherServiceIsNamed() throws IOException {
        // flag-api's key, validly signing an event that claims to come from monitor-service.
        EventSigner signer = new EventSigner(TestBundles.PRODUCER_KEY_ID, log.producer.getPrivate());
        log.append(EventJson.canonicalBytes(signer.sign(TestBundles.event(99).toBuilder().sourceService("monitor-service").build())));
        assertProblem(verify(log.range(1, 41, 41)), "seq 41", "key binding", "may not sign for service 'monitor-service'");
    }

    @Test
    void fileMissingFromTheManifestAndExtraFilesAreNamed() throws IOException {
        TestBundles.Bundle bundle = log.range(1, 10, 40);
        bundle.text("notes.txt", "added later");
        ObjectNode manifest = TestBundles.manifest(bundle);
        bundle.files.remove("keys.json");
        bundle.text("manifest.json", manifest.toPrettyString() + "\n");
        Report report = verify(bundle);
        assertProblem(report, "notes.txt", "manifest hash", "not listed in the manifest");
        assertProblem(report, "keys.json", "manifest hash", "missing from the bundle");
    }

    @Test
    void commandLineExitsZeroOneOrTwo() throws IOException {
        Path good = log.range(1, 40, 40).zip(dir.resolve("good.zip"));
        TestBundles.Bundle tampered = log.range(1, 40, 40);
        tampered.line("events.jsonl", 0, l -> l.replace("\"alice\"", "\"mallory\""));
        Path bad = tampered.zip(dir.resolve("bad.zip"));
        Path keyFile = Files.writeString(dir.resolve("key.txt"), log.checkpointKey().encoded() + "\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {good.toString(), keyFile.toString()}, new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("VERIFIED");

        out.reset();
        assertThat(Main.run(new String[] {bad.toString(), log.checkpointKey().encoded()}, new PrintStream(out), new PrintStream(err))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED seq 1: leaf hash:", "NOT VERIFIED");

        assertThat(Main.run(new String[] {good.toString(), "not-a-key+zz+x"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(Main.run(new String[] {good.toString()}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
    }
}
