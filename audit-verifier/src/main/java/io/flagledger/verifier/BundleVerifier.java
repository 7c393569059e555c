package io.flagledger.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.InvalidEventException;
import io.flagledger.contract.SignatureVerificationException;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerificationException;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.contract.note.NoteVerificationException;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks an audit export bundle (see audit-service's Exporter for the format) with nothing but the bundle and
 * the checkpoint verifier key(s) the caller trusts. Every check runs even after a failure, so the report lists
 * everything that is wrong: the manifest's signature and file hashes, the checkpoint's signature, each entry's
 * leaf hash, canonical form, producer signature and key binding, the sequence numbers, and either each entry's
 * inclusion proof and its match with the export's filter, re-derived from the signed event (filtered exports),
 * or the root recomputed from the whole range plus the consistency proof to the checkpoint (range exports). Producer keys come from the bundle; they are only as trustworthy as the
 * manifest signature that covers them, which is checked with the caller's key.
 */
public final class BundleVerifier {

    public static final String FORMAT = "flagledger-export/1";
    static final Set<String> UNLISTED = Set.of("manifest.json", "manifest.sig");
    private static final int CHUNK = 2000;

    private final NoteVerifier trusted;
    private final int threads;

    public BundleVerifier(List<NoteVerifierKey> trustedCheckpointKeys) {
        this(trustedCheckpointKeys, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public BundleVerifier(List<NoteVerifierKey> trustedCheckpointKeys, int threads) {
        if (trustedCheckpointKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted checkpoint key is needed");
        }
        this.trusted = new NoteVerifier(trustedCheckpointKeys);
        this.threads = threads;
    }

    /** Problems sort by file first, then by sequence number. */
    private record Found(long order, Problem problem) {
    }

    private final class Run {
        final List<Found> found = new ArrayList<>();
        final ObjectMapper json = EventJson.mapper();

        void file(String where, String check, String detail) {
            found.add(new Found(-1, new Problem(where, check, detail)));
        }

        void entry(long seq, String check, String detail) {
            found.add(new Found(seq, new Problem("seq " + seq, check, detail)));
        }
    }

    public Report verify(Path bundle) throws IOException {
        Run run = new Run();
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            return verify(zip, run);
        } catch (java.util.zip.ZipException e) {
            run.file(bundle.getFileName().toString(), "archive", "not a readable zip archive: " + e.getMessage());
            return report(run, null, 0);
        }
    }

    private Report verify(ZipFile zip, Run run) throws IOException {
        Map<String, ZipEntry> entries = new HashMap<>();
        for (ZipEntry e : java.util.Collections.list(zip.entries())) {
            if (entries.put(e.getName(), e) != null) {
                run.file(e.getName(), "archive", "the archive holds two files of this name");
            }
        }
        byte[] manifestBytes = read(zip, entries, "manifest.json", run);
        JsonNode manifest = manifestBytes == null ? null : parse(run, "manifest.json", manifestBytes);
        if (manifest == null) {
            return report(run, null, 0);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            run.file("manifest.json", "format", "expected " + FORMAT + ", found '" + manifest.path("format").asText() + "'");
            return report(run, manifest, 0);
        }
        checkManifestSignature(zip, entries, run, manifest, manifestBytes);
        checkFileHashes(zip, entries, run, manifest);

        Checkpoint checkpoint = checkpoint(zip, entries, run, manifest);
        EventChecks producers = producers(zip, entries, run);
        JsonNode selection = manifest.path("selection");
        String mode = selection.path("mode").asText();
        long count;
        if ("range".equals(mode)) {
            byte[] rangeBytes = read(zip, entries, "range.json", run);
            JsonNode range = rangeBytes == null ? null : parse(run, "range.json", rangeBytes);
            count = entries(zip, entries, run, producers, checkpoint, range, selection);
        } else if ("filter".equals(mode)) {
            List<String> unusable = new ArrayList<>();
            ExportFilter filter = ExportFilter.of(selection.path("filter"), unusable);
            unusable.forEach(p -> run.file("manifest.json", "selection", p));
            count = entries(zip, entries, run, new EventChecks(producers.verifier(), producers.services(), filter),
                    checkpoint, null, selection);
        } else {
            run.file("manifest.json", "selection", "unknown selection mode '" + mode + "'");
            count = 0;
        }
        if (manifest.path("event_count").asLong(-1) != count) {
            run.file("manifest.json", "event count", "the manifest announces " + manifest.path("event_count").asText()
                    + " entries, the bundle holds " + count);
        }
        return report(run, manifest, count);
    }

    private void checkManifestSignature(ZipFile zip, Map<String, ZipEntry> entries, Run run, JsonNode manifest,
                                        byte[] manifestBytes) throws IOException {
        byte[] sig = read(zip, entries, "manifest.sig", run);
        if (sig == null) {
            return;
        }
        String expected = FORMAT + "\n" + manifest.path("export_id").asText() + "\nsha256:" + hex(sha256(manifestBytes)) + "\n";
        try {
            NoteVerifier.VerifiedNote note = trusted.open(new String(sig, StandardCharsets.UTF_8));
            if (!note.text().equals(expected)) {
                run.file("manifest.sig", "manifest signature", "the signed text does not name this manifest: signed '"
                        + note.text().replace("\n", "\\n") + "', this manifest needs '" + expected.replace("\n", "\\n") + "'");
            }
        } catch (NoteVerificationException e) {
            run.file("manifest.sig", "manifest signature", e.getMessage());
        }
    }

    private void checkFileHashes(ZipFile zip, Map<String, ZipEntry> entries, Run run, JsonNode manifest) throws IOException {
        JsonNode files = manifest.path("files");
        Set<String> listed = new HashSet<>();
        files.fieldNames().forEachRemaining(listed::add);
        for (String name : listed) {
            ZipEntry e = entries.get(name);
            if (e == null) {
                run.file(name, "manifest hash", "listed in the manifest but missing from the bundle");
                continue;
            }
            MessageDigest d = sha256();
            long bytes = 0;
            try (InputStream in = zip.getInputStream(e)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                    bytes += n;
                }
            }
            String actual = hex(d.digest());
            if (!actual.equals(files.path(name).path("sha256").asText())) {
                run.file(name, "manifest hash", "SHA-256 is " + actual + ", the manifest says "
                        + files.path(name).path("sha256").asText() + " (" + bytes + " bytes): the file was changed");
            }
        }
        for (String name : entries.keySet()) {
            if (!listed.contains(name) && !UNLISTED.contains(name)) {
                run.file(name, "manifest hash", "in the bundle but not listed in the manifest");
            }
        }
    }

    private Checkpoint checkpoint(ZipFile zip, Map<String, ZipEntry> entries, Run run, JsonNode manifest) throws IOException {
        byte[] note = read(zip, entries, "checkpoint.txt", run);
        if (note == null) {
            return null;
        }
        Checkpoint c;
        try {
            c = Checkpoint.parse(trusted.open(new String(note, StandardCharsets.UTF_8)).text());
        } catch (NoteVerificationException | IllegalArgumentException e) {
            run.file("checkpoint.txt", "checkpoint signature", e.getMessage());
            return null;
        }
        if (!c.origin().equals(manifest.path("origin").asText())) {
            run.file("checkpoint.txt", "checkpoint origin", "the checkpoint is of log '" + c.origin()
                    + "', the manifest names '" + manifest.path("origin").asText() + "'");
        }
        if (c.size() != manifest.path("checkpoint").path("tree_size").asLong(-1)) {
            run.file("checkpoint.txt", "checkpoint size", "the signed checkpoint has size " + c.size()
                    + ", the manifest says " + manifest.path("checkpoint").path("tree_size").asText());
        }
        return c;
    }

    /** What each event is checked against: the bundled producer keys, the services each may sign for, and a
     *  filtered export's filter (else null). */
    private record EventChecks(EventVerifier verifier, Map<String, Set<String>> services, ExportFilter filter) {
    }

    private EventChecks producers(ZipFile zip, Map<String, ZipEntry> entries, Run run) throws IOException {
        byte[] bytes = read(zip, entries, "keys.json", run);
        JsonNode keys = bytes == null ? null : parse(run, "keys.json", bytes);
        Map<String, PublicKey> byId = new HashMap<>();
        Map<String, Set<String>> services = new HashMap<>();
        if (keys != null) {
            for (JsonNode p : keys.path("producers")) {
                String id = p.path("key_id").asText();
                try {
                    byId.put(id, Ed25519Keys.decodePublic(p.path("public_key").asText()));
                    Set<String> s = new HashSet<>();
                    p.path("services").forEach(n -> s.add(n.asText()));
                    services.put(id, s);
                } catch (IllegalArgumentException e) {
                    run.file("keys.json", "producer key", "key '" + id + "': " + e.getMessage());
                }
            }
        }
        return new EventChecks(new EventVerifier(byId), services, null);
    }

    /**
     * Walks events.jsonl and entries.jsonl in step. Leaf hashes, sequence order and proofs are checked here;
     * parsing and signatures, the expensive part, run on a pool in chunks (a bounded number in flight).
     */
    private long entries(ZipFile zip, Map<String, ZipEntry> entries, Run run, EventChecks producers, Checkpoint checkpoint,
                         JsonNode range, JsonNode selection) throws IOException {
        ZipEntry eventsEntry = entries.get("events.jsonl");
        ZipEntry indexEntry = entries.get("entries.jsonl");
        if (eventsEntry == null || indexEntry == null) {
            run.file(eventsEntry == null ? "events.jsonl" : "entries.jsonl", "bundle", "missing from the bundle");
            return 0;
        }
        boolean isRange = range != null || "range".equals(selection.path("mode").asText());
        long from = selection.path("from_seq").asLong(0);
        long to = selection.path("to_seq").asLong(-1);
        Frontier frontier = null;
        if (isRange) {
            if (range == null) {
                return 0;
            }
            if (range.path("from_seq").asLong() != from || range.path("to_seq").asLong() != to) {
                run.file("range.json", "range", "covers " + range.path("from_seq").asText() + ".." + range.path("to_seq").asText()
                        + ", the manifest selects " + from + ".." + to);
            }
            try {
                frontier = new Frontier(hashes(range.path("prefix")), from - 1);
            } catch (IllegalArgumentException e) {
                run.file("range.json", "prefix", e.getMessage());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Deque<Future<List<Found>>> inFlight = new ArrayDeque<>();
        long count = 0;
        long previous = 0;
        java.util.BitSet seen = new java.util.BitSet();
        try (LineReader events = new LineReader(zip.getInputStream(eventsEntry));
             LineReader index = new LineReader(zip.getInputStream(indexEntry))) {
            List<byte[]> chunk = new ArrayList<>(CHUNK);
            List<Long> chunkSeqs = new ArrayList<>(CHUNK);
            while (true) {
                byte[] event = events.next();
                byte[] line = index.next();
                if (event == null || line == null) {
                    if (event != null || line != null) {
                        run.file(event == null ? "entries.jsonl" : "events.jsonl", "entry count",
                                "has more lines than " + (event == null ? "events.jsonl" : "entries.jsonl")
                                        + " (which ends after " + count + ")");
                    }
                    break;
                }
                count++;
                JsonNode meta = parse(run, "entries.jsonl line " + count, line);
                if (meta == null) {
                    continue;
                }
                long seq = meta.path("seq").asLong(-1);
                if (seq < previous) {
                    run.entry(seq, "sequence", "appears after seq " + previous + ": entries are out of order");
                } else if (seq == previous) {
                    run.entry(seq, "sequence", "appears twice");
                }
                previous = seq;
                if (isRange) {
                    if (seq < from || seq > to) {
                        run.entry(seq, "sequence", "is outside the exported range " + from + ".." + to);
                    } else {
                        seen.set((int) (seq - from));
                    }
                }
                byte[] leaf = MerkleHash.leaf(event);
                byte[] exportedLeaf = decode(meta.path("leaf_hash").asText());
                if (exportedLeaf == null || !MessageDigest.isEqual(leaf, exportedLeaf)) {
                    run.entry(seq, "leaf hash", "SHA-256(0x00 || event) is " + b64(leaf) + ", the ledger's leaf hash is "
                            + meta.path("leaf_hash").asText() + ": the event's bytes were changed");
                }
                if (frontier != null) {
                    frontier.add(leaf);
                } else if (!isRange && checkpoint != null) {
                    try {
                        ProofVerifier.verifyInclusion(seq - 1, checkpoint.size(), leaf, hashes(meta.path("proof")),
                                checkpoint.rootHash());
                    } catch (ProofVerificationException | IllegalArgumentException e) {
                        run.entry(seq, "inclusion proof", e.getMessage() + ": the entry is not at this position in the "
                                + "signed log");
                    }
                }
                chunk.add(event);
                chunkSeqs.add(seq);
                if (chunk.size() == CHUNK) {
                    submit(pool, inFlight, run, producers, chunk, chunkSeqs);
                    chunk = new ArrayList<>(CHUNK);
                    chunkSeqs = new ArrayList<>(CHUNK);
                }
            }
            submit(pool, inFlight, run, producers, chunk, chunkSeqs);
            while (!inFlight.isEmpty()) {
                collect(inFlight.poll(), run);
            }
        } finally {
            pool.shutdownNow();
        }
        if (isRange) {
            for (int gap = seen.nextClearBit(0); from + gap <= to; gap = seen.nextClearBit(gap)) {
                int end = Math.min(seen.nextSetBit(gap) < 0 ? Integer.MAX_VALUE : seen.nextSetBit(gap), (int) (to - from + 1));
                run.entry(from + gap, "sequence", (end - gap == 1 ? "is" : "to " + (from + end - 1) + " are")
                        + " missing from the range " + from + ".." + to + ": entries were removed");
                gap = end;
            }
        }
        if (frontier != null && checkpoint != null) {
            checkRangeRoot(run, frontier, range, checkpoint, from, to);
        }
        return count;
    }

    private void checkRangeRoot(Run run, Frontier frontier, JsonNode range, Checkpoint checkpoint, long from, long to) {
        byte[] root = frontier.root();
        String what = "the entries " + from + ".." + to + " give a tree of size " + frontier.size() + " with root " + b64(root);
        try {
            if (frontier.size() == checkpoint.size()) {
                if (!MessageDigest.isEqual(root, checkpoint.rootHash())) {
                    run.file("events.jsonl", "tree root", what + ", the signed checkpoint has " + checkpoint.rootBase64()
                            + ": entries were changed, removed, added or reordered");
                }
            } else {
                ProofVerifier.verifyConsistency(frontier.size(), checkpoint.size(), root, checkpoint.rootHash(),
                        hashes(range.path("consistency")));
            }
        } catch (ProofVerificationException | IllegalArgumentException e) {
            run.file("events.jsonl", "consistency proof", what + ", which the signed checkpoint of size "
                    + checkpoint.size() + " does not extend (" + e.getMessage() + "): entries were changed, removed, "
                    + "added or reordered");
        }
    }

    private void submit(ExecutorService pool, Deque<Future<List<Found>>> inFlight, Run run, EventChecks producers,
                        List<byte[]> events, List<Long> seqs) {
        if (events.isEmpty()) {
            return;
        }
        inFlight.add(pool.submit(() -> {
            List<Found> found = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                checkEvent(seqs.get(i), events.get(i), producers, found);
            }
            return found;
        }));
        while (inFlight.size() > 2 * threads) {
            collect(inFlight.poll(), run);
        }
    }

    private static void collect(Future<List<Found>> f, Run run) {
        try {
            run.found.addAll(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void checkEvent(long seq, byte[] bytes, EventChecks producers, List<Found> found) {
        AuditEvent event;
        try {
            event = EventJson.parse(bytes);
        } catch (InvalidEventException e) {
            found.add(new Found(seq, new Problem("seq " + seq, "event", e.getMessage())));
            return;
        }
        if (producers.filter() != null) {
            for (String mismatch : producers.filter().mismatches(event)) {
                found.add(new Found(seq, new Problem("seq " + seq, "selection", mismatch + ": the ledger's query columns "
                        + "were edited, so the export holds an entry its filter does not select")));
            }
        }
        if (!Arrays.equals(EventJson.canonicalBytes(event), bytes)) {
            found.add(new Found(seq, new Problem("seq " + seq, "canonical form",
                    "the event is not in RFC 8785 canonical form, so it is not the form the producer signed")));
        }
        try {
            producers.verifier().verify(event);
        } catch (SignatureVerificationException e) {
            found.add(new Found(seq, new Problem("seq " + seq, "event signature", e.getMessage())));
            return;
        }
        String keyId = event.signature().keyId();
        if (!producers.services().getOrDefault(keyId, Set.of()).contains(event.sourceService())) {
            found.add(new Found(seq, new Problem("seq " + seq, "key binding", "key '" + keyId
                    + "' may not sign for service '" + event.sourceService() + "'")));
        }
    }

    private Report report(Run run, JsonNode manifest, long count) {
        List<Problem> problems = run.found.stream().sorted(Comparator.comparingLong(Found::order))
                .map(Found::problem).toList();
        String summary = null;
        if (problems.isEmpty() && manifest != null) {
            JsonNode s = manifest.path("selection");
            JsonNode custody = manifest.path("custody");
            summary = count + " entries (" + ("range".equals(s.path("mode").asText())
                    ? "seq " + s.path("from_seq").asText() + ".." + s.path("to_seq").asText() : "filtered")
                    + ") are in the log " + manifest.path("origin").asText() + " at its signed checkpoint of size "
                    + manifest.path("checkpoint").path("tree_size").asText() + "; every producer signature and file "
                    + "hash verifies. Export " + manifest.path("export_id").asText() + " by "
                    + custody.path("exported_by").path("id").asText() + " at " + custody.path("exported_at").asText()
                    + ", ticket " + custody.path("ticket").asText() + ": " + custody.path("reason").asText();
        }
        return new Report(problems, summary, count);
    }

    private static byte[] read(ZipFile zip, Map<String, ZipEntry> entries, String name, Run run) throws IOException {
        ZipEntry e = entries.get(name);
        if (e == null) {
            run.file(name, "bundle", "missing from the bundle");
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static JsonNode parse(Run run, String where, byte[] bytes) {
        try {
            return run.json.readTree(bytes);
        } catch (IOException e) {
            run.file(where, "json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return null;
        }
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode n : array) {
            byte[] h = decode(n.asText());
            if (h == null) {
                throw new IllegalArgumentException("'" + n.asText() + "' is not a base64 hash");
            }
            out.add(h);
        }
        return out;
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(byte[] h) {
        return Base64.getEncoder().encodeToString(h);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static byte[] sha256(byte[] b) {
        return sha256().digest(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lines as raw bytes (no decoding, so the bytes hashed are exactly the bytes exported). */
    private static final class LineReader implements AutoCloseable {
        private final InputStream in;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);

        LineReader(InputStream in) {
            this.in = new BufferedInputStream(in, 1 << 16);
        }

        byte[] next() throws IOException {
            line.reset();
            for (int b; (b = in.read()) != -1; ) {
                if (b == '\n') {
                    return line.toByteArray();
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toByteArray();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
