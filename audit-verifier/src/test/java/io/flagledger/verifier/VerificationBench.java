package io.flagledger.verifier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.note.NoteSigner;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Offline verification time of an N-entry range export. Writes a bundle of N signed synthetic events (whole log,
 * checkpoint a few entries later so the consistency proof is exercised) and times {@link BundleVerifier} on it.
 * Not a test: {@code audit-verifier/bench/verification.sh [entries] [runs] [v1|v2]}; it also prints the java -jar
 * command. v2 (the default) batch-signs the events in batches of {@value #BATCH}, as the outbox relay does; v1 signs
 * each event, as before batch signatures.
 */
public final class VerificationBench {

    /** Events per batch signature in v2 mode, as in an outbox relay run. */
    static final int BATCH = 100;
    private static final byte[] NEWLINE = {'\n'};

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean batched = args.length <= 2 || switch (args[2]) {
            case "v2" -> true;
            case "v1" -> false;
            default -> throw new IllegalArgumentException("the third argument is v1 or v2, not " + args[2]);
        };
        Path dir = Files.createTempDirectory("audit-verify-bench");
        Path bundle = dir.resolve("export-" + n + ".zip");
        NoteSigner checkpointSigner = new NoteSigner(TestBundles.ORIGIN, Ed25519Keys.generate().getPrivate());
        long begin = System.nanoTime();
        long cpu = cpuNanos();
        write(bundle, n, checkpointSigner, batched);
        System.out.printf("wrote %s (%,d %s entries, %,d MB) in %.1f s (%.1f s CPU)%n", bundle, n,
                batched ? "batch-signed (v2, " + BATCH + " per signature)" : "event-signed (v1)", Files.size(bundle) >> 20,
                (System.nanoTime() - begin) / 1e9, (cpuNanos() - cpu) / 1e9);
        Path key = Files.writeString(dir.resolve("checkpoint.key"), checkpointSigner.verifierKey().encoded() + "\n");
        for (int run = 1; run <= runs; run++) {
            long t = System.nanoTime();
            long c = cpuNanos();
            Report report = new BundleVerifier(List.of(checkpointSigner.verifierKey())).verify(bundle);
            double s = (System.nanoTime() - t) / 1e9;
            double cs = (cpuNanos() - c) / 1e9;
            if (!report.verified()) {
                throw new IllegalStateException("the benchmark bundle does not verify: " + report.problems().get(0));
            }
            System.out.printf("run %d: verified %,d entries in %.1f s (%,.0f entries/s; %.1f s CPU, %.0f µs CPU per entry) on %d cores%n",
                    run, report.entries(), s, report.entries() / s, cs, cs * 1e6 / report.entries(),
                    Runtime.getRuntime().availableProcessors());
        }
        System.out.println("same with the runnable jar: audit-verifier/verify-export.sh " + bundle + " " + key);
    }

    private static void write(Path target, int n, NoteSigner checkpointSigner, boolean batched) throws IOException {
        KeyPair producer = Ed25519Keys.generate();
        EventSigner signer = new EventSigner(TestBundles.PRODUCER_KEY_ID, producer.getPrivate());
        MemoryTree tree = new MemoryTree();
        TreeMap<String, String> hashes = new TreeMap<>();
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(target), 1 << 16))) {
            // Lines reach the deflater in 64 KiB blocks rather than one call per line and newline.
            OutputStream out = new BufferedOutputStream(zip, 1 << 16);
            MessageDigest d = digest();
            zip.putNextEntry(new ZipEntry("events.jsonl"));
            byte[][] leaves = new byte[n][];
            // Signing is the producers' work, spread over all cores here as over many producers in production.
            int block = 82 * BATCH;
            for (int start = 0; start < n; start += block) {
                int first = start;
                byte[][] lines = signed(signer, first, Math.min(n, first + block), batched);
                for (int k = 0; k < lines.length; k++) {
                    byte[] leaf = MerkleHash.leaf(lines[k]);
                    leaves[first + k] = leaf;
                    tree.append(leaf);
                    write(out, d, lines[k]);
                    write(out, d, NEWLINE);
                }
            }
            out.flush();
            hashes.put("events.jsonl", hex(d));
            d = digest();
            zip.putNextEntry(new ZipEntry("entries.jsonl"));
            for (int i = 0; i < n; i++) {
                write(out, d, ("{\"seq\":" + (i + 1) + ",\"leaf_hash\":\"" + TestBundles.b64(leaves[i]) + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            hashes.put("entries.jsonl", hex(d));
            // The checkpoint is a little larger than the export, as when the log moved on before the export.
            for (byte[] line : signed(signer, n, n + 5, batched)) {
                tree.append(MerkleHash.leaf(line));
            }
            long size = tree.size();
            ObjectNode range = JsonNodeFactory.instance.objectNode().put("from_seq", 1).put("to_seq", n).put("checkpoint_size", size);
            range.putArray("prefix");
            ArrayNode consistency = range.putArray("consistency");
            tree.consistencyProof(n, size).forEach(h -> consistency.add(TestBundles.b64(h)));
            small(zip, hashes, "range.json", range.toString());
            small(zip, hashes, "checkpoint.txt", checkpointSigner.sign(new Checkpoint(TestBundles.ORIGIN, size, tree.root()).body()));
            ObjectNode keys = JsonNodeFactory.instance.objectNode();
            keys.putArray("checkpoint_keys").add(checkpointSigner.verifierKey().encoded());
            ObjectNode p = keys.putArray("producers").addObject().put("key_id", TestBundles.PRODUCER_KEY_ID)
                    .put("public_key", Ed25519Keys.encodePublic(producer.getPublic()));
            p.putArray("services").add("flag-api");
            small(zip, hashes, "keys.json", keys.toString());
            ObjectNode manifest = JsonNodeFactory.instance.objectNode().put("format", BundleVerifier.FORMAT)
                    .put("export_id", "0190a0a0-0000-7000-8000-000000000002").put("origin", TestBundles.ORIGIN)
                    .put("created_at", "2026-04-04T10:00:00Z").put("event_count", n);
            manifest.putObject("selection").put("mode", "range").put("from_seq", 1).put("to_seq", n);
            manifest.putObject("checkpoint").put("tree_size", size);
            manifest.putObject("custody").put("ticket", "BENCH").put("reason", "benchmark").putObject("exported_by").put("id", "bench");
            ObjectNode files = manifest.putObject("files");
            hashes.forEach((name, sha) -> files.putObject(name).put("sha256", sha));
            String json = manifest.toPrettyString() + "\n";
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(json.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("manifest.sig"));
            zip.write(checkpointSigner.sign(BundleVerifier.FORMAT + "\n0190a0a0-0000-7000-8000-000000000002\nsha256:"
                    + HexFormat.of().formatHex(digest().digest(json.getBytes(StandardCharsets.UTF_8))) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Canonical lines of events first..end-1, signed in parallel: v2 one signature per {@link #BATCH} events (the
     * batches start at multiples of it), v1 one per event.
     */
    private static byte[][] signed(EventSigner signer, int first, int end, boolean batched) {
        if (!batched) {
            return IntStream.range(first, end).parallel()
                    .mapToObj(i -> EventJson.canonicalBytes(signer.sign(TestBundles.event(i)))).toArray(byte[][]::new);
        }
        return IntStream.range(0, (end - first + BATCH - 1) / BATCH).parallel()
                .mapToObj(b -> signer.signBatch(IntStream.range(first + b * BATCH, Math.min(end, first + (b + 1) * BATCH))
                        .mapToObj(TestBundles::event).toList()))
                .flatMap(List::stream).map(EventJson::canonicalBytes).toArray(byte[][]::new);
    }

    /** CPU time of the whole JVM (all threads, GC included): on a shared machine, steadier than wall time. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void small(ZipOutputStream zip, TreeMap<String, String> hashes, String name, String content) throws IOException {
        MessageDigest d = digest();
        zip.putNextEntry(new ZipEntry(name));
        write(zip, d, content.getBytes(StandardCharsets.UTF_8));
        hashes.put(name, hex(d));
    }

    private static void write(OutputStream out, MessageDigest d, byte[] b) throws IOException {
        out.write(b);
        d.update(b);
    }

    private static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
