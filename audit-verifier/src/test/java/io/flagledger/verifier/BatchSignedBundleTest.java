package io.flagledger.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSignature;
import io.flagledger.contract.EventSigner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ledgers holding batch-signed events (schema version 2, as the outbox relay sends them) next to version 1 ones. */
class BatchSignedBundleTest {

    @TempDir
    Path dir;

    /** 45 events in batches of 10 (the last of 5), then 3 signed alone; the event at {@code editedSeq} gets leaf index + 1. */
    private static TestBundles log(int editedSeq) {
        TestBundles log = new TestBundles(0);
        EventSigner signer = new EventSigner(TestBundles.PRODUCER_KEY_ID, log.producer.getPrivate());
        for (int from = 0; from < 45; from += 10) {
            List<AuditEvent> batch = signer.signBatch(IntStream.range(from, Math.min(45, from + 10))
                    .mapToObj(TestBundles::event).toList());
            for (AuditEvent e : batch) {
                if (log.events.size() + 1 == editedSeq) {
                    EventSignature s = e.signature();
                    e = e.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(), new EventSignature.Batch(
                            s.batch().size(), s.batch().index() + 1, s.batch().path())));
                }
                log.append(EventJson.canonicalBytes(e));
            }
        }
        for (int i = 45; i < 48; i++) {
            log.append(EventJson.canonicalBytes(signer.sign(TestBundles.event(i))));
        }
        return log;
    }

    private Report verify(TestBundles log, TestBundles.Bundle bundle) throws IOException {
        return new BundleVerifier(List.of(log.checkpointKey()), 2).verify(bundle.zip(dir.resolve("bundle.zip")));
    }

    @Test
    void rangesAndFilteredExportsOfBatchSignedEventsVerify() throws IOException {
        TestBundles log = log(0);
        Report whole = verify(log, log.range(1, 48, 48));
        assertThat(whole.problems()).isEmpty();
        assertThat(whole.entries()).isEqualTo(48);
        // one entry of a batch, without the others
        Report some = verify(log, log.filtered(List.of(3L, 17L, 44L, 47L), 48));
        assertThat(some.problems()).isEmpty();
        assertThat(some.entries()).isEqualTo(4);
    }

    @Test
    void anEventWhoseBatchProofWasEditedIsAnEventSignatureProblemAndOnlyThatOne() throws IOException {
        TestBundles log = log(17); // leaf 6 of the second batch, claiming leaf 7
        Report report = verify(log, log.range(1, 48, 48));
        assertThat(report.verified()).isFalse();
        assertThat(report.problems()).hasSize(1);
        assertThat(report.problems().get(0).where()).isEqualTo("seq 17");
        assertThat(report.problems().get(0).check()).isEqualTo("event signature");
        assertThat(report.problems().get(0).detail()).contains("batch signature does not match");
    }
}
