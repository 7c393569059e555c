package io.flagledger.contract;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU time per event of verifying schema version 1 (a signature per event) and version 2 (batches of 100), single
 * thread, as a consumer does it: parse the record, then {@link EventVerifier#verify(AuditEvent, byte[])} with a
 * verifier whose cache starts empty each round. Prints figures, asserts nothing. Not a test:
 * {@code java -cp event-contract/target/test-classes:event-contract/target/classes:<deps> io.flagledger.contract.BatchVerifyBench [events] [rounds]}.
 */
public final class BatchVerifyBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = 100;
        System.out.println("load average before: " + loadAverage());
        List<AuditEvent> unsigned = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            unsigned.add(TestEvents.fullBuilder().flagId("flag-" + i).build());
        }
        long c = cpu();
        List<byte[]> v1 = new ArrayList<>(n);
        for (AuditEvent e : unsigned) {
            v1.add(EventJson.canonicalBytes(TestEvents.SIGNER.sign(e)));
        }
        double signV1 = (cpu() - c) / 1e3 / n;
        c = cpu();
        List<byte[]> v2 = new ArrayList<>(n);
        for (int from = 0; from < n; from += batch) {
            for (AuditEvent e : TestEvents.SIGNER.signBatch(unsigned.subList(from, Math.min(n, from + batch)))) {
                v2.add(EventJson.canonicalBytes(e));
            }
        }
        double signV2 = (cpu() - c) / 1e3 / n;
        System.out.printf("sign + canonicalize: v1 %.1f µs CPU/event, v2 (batch %d) %.1f µs CPU/event%n", signV1, batch, signV2);
        System.out.printf("average record: v1 %d bytes, v2 %d bytes%n", avg(v1), avg(v2));

        Map<String, java.security.PublicKey> keys = Map.of(TestEvents.KEY_ID, TestEvents.KEYS.getPublic());
        for (int round = 1; round <= rounds; round++) {
            double[] one = run(v1, new EventVerifier(keys));
            double[] two = run(v2, new EventVerifier(keys));
            System.out.printf("round %d: v1 verify %.1f µs, parse+verify %.1f µs | v2 (batch %d) verify %.1f µs, parse+verify %.1f µs"
                    + " (CPU per event, %,d events, 1 thread)%n", round, one[0], one[1], batch, two[0], two[1], n);
        }
        System.out.println("load average after: " + loadAverage() + " (" + Runtime.getRuntime().availableProcessors() + " cores)");
    }

    /** {verify only, parse + verify}, µs of thread CPU per event. */
    private static double[] run(List<byte[]> records, EventVerifier verifier) throws SignatureVerificationException {
        List<EventJson.Parsed> parsed = new ArrayList<>(records.size());
        long c = cpu();
        for (byte[] r : records) {
            parsed.add(EventJson.parseCanonical(r));
        }
        long parse = cpu() - c;
        c = cpu();
        for (EventJson.Parsed p : parsed) {
            verifier.verify(p.event(), p.signing());
        }
        long verify = cpu() - c;
        return new double[] {verify / 1e3 / records.size(), (parse + verify) / 1e3 / records.size()};
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static int avg(List<byte[]> records) {
        return (int) records.stream().mapToInt(r -> r.length).average().orElse(0);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
