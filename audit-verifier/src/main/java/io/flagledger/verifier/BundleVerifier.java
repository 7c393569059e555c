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
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerificationException;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.contract.note.NoteVerificationException;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
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
    private static final ObjectMapper INDEX_JSON = EventJson.mapper(); // strict: duplicate names, trailing data

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

        void missing(String name) {
            file(name, "bundle", "missing from the bundle");
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
        BundleFiles files = new BundleFiles(zip, entries);
        byte[] manifestBytes = files.read("manifest.json", run::missing);
        JsonNode manifest = manifestBytes == null ? null : parse(run, "manifest.json", manifestBytes);
        if (manifest == null) {
            return report(run, null, 0);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            run.file("manifest.json", "format", "expected " + FORMAT + ", found '" + manifest.path("format").asText() + "'");
            return report(run, manifest, 0);
        }
        checkManifestSignature(files, run, manifest);

        Checkpoint checkpoint = checkpoint(files, run, manifest);
        EventChecks producers = producers(files, run);
        JsonNode selection = manifest.path("selection");
        String mode = selection.path("mode").asText();
        long count;
        if ("range".equals(mode)) {
            byte[] rangeBytes = files.read("range.json", run::missing);
            JsonNode range = rangeBytes == null ? null : parse(run, "range.json", rangeBytes);
            count = entries(files, run, producers, checkpoint, range, selection);
        } else if ("filter".equals(mode)) {
            List<String> unusable = new ArrayList<>();
            ExportFilter filter = ExportFilter.of(selection.path("filter"), unusable);
            unusable.forEach(p -> run.file("manifest.json", "selection", p));
            count = entries(files, run, new EventChecks(producers.verifier(), producers.services(), filter),
                    checkpoint, null, selection);
        } else {
            run.file("manifest.json", "selection", "unknown selection mode '" + mode + "'");
            count = 0;
        }
        // Last: events.jsonl and entries.jsonl were hashed while they were checked, so each is decompressed once.
        checkFileHashes(files, run, manifest);
        if (manifest.path("event_count").asLong(-1) != count) {
            run.file("manifest.json", "event count", "the manifest announces " + manifest.path("event_count").asText()
                    + " entries, the bundle holds " + count);
        }
        return report(run, manifest, count);
    }

    private void checkManifestSignature(BundleFiles files, Run run, JsonNode manifest) throws IOException {
        byte[] sig = files.read("manifest.sig", run::missing);
        if (sig == null) {
            return;
        }
        String expected = FORMAT + "\n" + manifest.path("export_id").asText() + "\nsha256:" + files.digest("manifest.json").sha256() + "\n";
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

    private void checkFileHashes(BundleFiles files, Run run, JsonNode manifest) throws IOException {
        JsonNode listedFiles = manifest.path("files");
        Set<String> listed = new HashSet<>();
        listedFiles.fieldNames().forEachRemaining(listed::add);
        for (String name : listed) {
            if (!files.has(name)) {
                run.file(name, "manifest hash", "listed in the manifest but missing from the bundle");
                continue;
            }
            BundleFiles.Digest d = files.digest(name);
            String expected = listedFiles.path(name).path("sha256").asText();
            if (!d.sha256().equals(expected)) {
                run.file(name, "manifest hash", "SHA-256 is " + d.sha256() + ", the manifest says " + expected + " ("
                        + d.bytes() + " bytes): the file was changed");
            }
        }
        for (String name : files.names()) {
            if (!listed.contains(name) && !UNLISTED.contains(name)) {
                run.file(name, "manifest hash", "in the bundle but not listed in the manifest");
            }
        }
    }

    private Checkpoint checkpoint(BundleFiles files, Run run, JsonNode manifest) throws IOException {
        byte[] note = files.read("checkpoint.txt", run::missing);
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

    private EventChecks producers(BundleFiles files, Run run) throws IOException {
        byte[] bytes = files.read("keys.json", run::missing);
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

    /** What a worker found on one chunk of line pairs (a null leaf: the index line was not JSON), folded in order. */
    private record Chunk(long[] seqs, byte[][] leaves, List<Found> found) {
    }

    /** Line pairs {@code firstLine..} of events.jsonl and entries.jsonl (the first {@code size} of the arrays). */
    private record Work(long firstLine, byte[][] events, byte[][] index, int size) {
    }

    /**
     * Walks events.jsonl and entries.jsonl in step. Everything that looks at one entry alone (parsing, canonical form,
     * signature, leaf hash, inclusion proof) runs on a pool in chunks, a bounded number in flight; the reading thread
     * only splits lines and, in order, folds the leaf hashes into the tree and checks the sequence.
     */
    private long entries(BundleFiles files, Run run, EventChecks producers, Checkpoint checkpoint, JsonNode range,
                         JsonNode selection) throws IOException {
        if (!files.has("events.jsonl") || !files.has("entries.jsonl")) {
            run.file(files.has("events.jsonl") ? "entries.jsonl" : "events.jsonl", "bundle", "missing from the bundle");
            return 0;
        }
        boolean isRange = range != null || "range".equals(selection.path("mode").asText());
        long from = selection.path("from_seq").asLong(0);
        long to = selection.path("to_seq").asLong(-1);
        CompactRange tree = null;
        if (isRange) {
            if (range == null) {
                return 0;
            }
            if (range.path("from_seq").asLong() != from || range.path("to_seq").asLong() != to) {
                run.file("range.json", "range", "covers " + range.path("from_seq").asText() + ".." + range.path("to_seq").asText()
                        + ", the manifest selects " + from + ".." + to);
            }
            try {
                tree = CompactRange.of(from - 1, hashes(range.path("prefix")));
            } catch (IllegalArgumentException e) {
                run.file("range.json", "prefix", e.getMessage());
            }
        }
        Checkpoint proofsAgainst = isRange ? null : checkpoint;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Deque<Future<Chunk>> inFlight = new ArrayDeque<>();
        Fold fold = new Fold(run, tree, isRange, from, to);
        long count = 0;
        try (LineReader events = new LineReader(files.stream("events.jsonl"));
             LineReader index = new LineReader(files.stream("entries.jsonl"))) {
            byte[][] eventLines = new byte[CHUNK][];
            byte[][] indexLines = new byte[CHUNK][];
            int n = 0;
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
                eventLines[n] = event;
                indexLines[n] = line;
                if (++n == CHUNK) {
                    submit(pool, inFlight, fold, producers, proofsAgainst, new Work(count - n + 1, eventLines, indexLines, n));
                    eventLines = new byte[CHUNK][];
                    indexLines = new byte[CHUNK][];
                    n = 0;
                }
            }
            submit(pool, inFlight, fold, producers, proofsAgainst, new Work(count - n + 1, eventLines, indexLines, n));
            while (!inFlight.isEmpty()) {
                fold.add(take(inFlight.poll()));
            }
            events.drain(); // the rest of a longer file still counts for its manifest hash
            index.drain();
        } finally {
            pool.shutdownNow();
        }
        if (isRange) {
            java.util.BitSet seen = fold.seen;
            for (int gap = seen.nextClearBit(0); from + gap <= to; gap = seen.nextClearBit(gap)) {
                int end = Math.min(seen.nextSetBit(gap) < 0 ? Integer.MAX_VALUE : seen.nextSetBit(gap), (int) (to - from + 1));
                run.entry(from + gap, "sequence", (end - gap == 1 ? "is" : "to " + (from + end - 1) + " are")
                        + " missing from the range " + from + ".." + to + ": entries were removed");
                gap = end;
            }
        }
        if (tree != null && checkpoint != null) {
            checkRangeRoot(run, tree, range, checkpoint, from, to);
        }
        return count;
    }

    /** The sequential part: sequence order and range bounds, and the leaves folded into the range's tree. */
    private static final class Fold {
        final Run run;
        final CompactRange tree;
        final boolean isRange;
        final long from;
        final long to;
        final java.util.BitSet seen = new java.util.BitSet();
        long previous;

        Fold(Run run, CompactRange tree, boolean isRange, long from, long to) {
            this.run = run;
            this.tree = tree;
            this.isRange = isRange;
            this.from = from;
            this.to = to;
        }

        void add(Chunk chunk) {
            run.found.addAll(chunk.found());
            for (int i = 0; i < chunk.seqs().length; i++) {
                byte[] leaf = chunk.leaves()[i];
                if (leaf == null) {
                    continue; // entries.jsonl line was not JSON, already reported
                }
                long seq = chunk.seqs()[i];
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
                if (tree != null) {
                    tree.append(leaf);
                }
            }
        }
    }

    private void checkRangeRoot(Run run, CompactRange tree, JsonNode range, Checkpoint checkpoint, long from, long to) {
        byte[] root = tree.root();
        String what = "the entries " + from + ".." + to + " give a tree of size " + tree.size() + " with root " + b64(root);
        try {
            if (tree.size() == checkpoint.size()) {
                if (!MessageDigest.isEqual(root, checkpoint.rootHash())) {
                    run.file("events.jsonl", "tree root", what + ", the signed checkpoint has " + checkpoint.rootBase64()
                            + ": entries were changed, removed, added or reordered");
                }
            } else {
                ProofVerifier.verifyConsistency(tree.size(), checkpoint.size(), root, checkpoint.rootHash(),
                        hashes(range.path("consistency")));
            }
        } catch (ProofVerificationException | IllegalArgumentException e) {
            run.file("events.jsonl", "consistency proof", what + ", which the signed checkpoint of size "
                    + checkpoint.size() + " does not extend (" + e.getMessage() + "): entries were changed, removed, "
                    + "added or reordered");
        }
    }

    private void submit(ExecutorService pool, Deque<Future<Chunk>> inFlight, Fold fold, EventChecks producers,
                        Checkpoint proofsAgainst, Work work) {
        if (work.size() == 0) {
            return;
        }
        inFlight.add(pool.submit(() -> check(work, producers, proofsAgainst)));
        while (inFlight.size() > 2 * threads) {
            fold.add(take(inFlight.poll()));
        }
    }

    private static Chunk take(Future<Chunk> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Chunk check(Work work, EventChecks producers, Checkpoint proofsAgainst) {
        List<Found> found = new ArrayList<>();
        long[] seqs = new long[work.size()];
        byte[][] leaves = new byte[work.size()][];
        for (int i = 0; i < work.size(); i++) {
            long lineNo = work.firstLine() + i;
            IndexLine meta;
            try {
                meta = IndexLine.parse(work.index()[i]);
            } catch (IOException e) {
                found.add(new Found(-1, new Problem("entries.jsonl line " + lineNo, "json", "not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse(""))));
                continue;
            }
            byte[] event = work.events()[i];
            long seq = meta.seq();
            byte[] leaf = MerkleHash.leaf(event);
            byte[] exportedLeaf = decode(meta.leafHash());
            if (exportedLeaf == null || !MessageDigest.isEqual(leaf, exportedLeaf)) {
                found.add(new Found(seq, new Problem("seq " + seq, "leaf hash", "SHA-256(0x00 || event) is " + b64(leaf)
                        + ", the ledger's leaf hash is " + meta.leafHash() + ": the event's bytes were changed")));
            }
            if (proofsAgainst != null) {
                try {
                    ProofVerifier.verifyInclusion(seq - 1, proofsAgainst.size(), leaf, hashes(meta.proof()),
                            proofsAgainst.rootHash());
                } catch (ProofVerificationException | IllegalArgumentException e) {
                    found.add(new Found(seq, new Problem("seq " + seq, "inclusion proof", e.getMessage()
                            + ": the entry is not at this position in the signed log")));
                }
            }
            checkEvent(seq, event, producers, found);
            seqs[i] = seq;
            leaves[i] = leaf;
        }
        return new Chunk(seqs, leaves, found);
    }

    /** One line of entries.jsonl: what the checks read of it, as Jackson's {@code path(..).asLong(-1)/asText()}. */
    record IndexLine(long seq, String leafHash, JsonNode proof) {
        private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] LEAF_HASH = ",\"leaf_hash\":\"".getBytes(StandardCharsets.US_ASCII);

        /** @throws IOException if the line is not JSON */
        static IndexLine parse(byte[] line) throws IOException {
            IndexLine plain = plain(line);
            if (plain != null) {
                return plain;
            }
            JsonNode meta = INDEX_JSON.readTree(line);
            return new IndexLine(meta.path("seq").asLong(-1), meta.path("leaf_hash").asText(), meta.path("proof"));
        }

        /**
         * A range export's line as the exporter writes it, {@code {"seq":N,"leaf_hash":"..."}} exactly (no sign, no
         * leading zero, at most 18 digits, a string without escapes or non-ASCII), read without a JSON parser;
         * null for any other line, which Jackson then reads.
         */
        static IndexLine plain(byte[] l) {
            if (!at(l, 0, SEQ)) {
                return null;
            }
            int i = SEQ.length;
            long seq = 0;
            while (i < l.length && i - SEQ.length < 18 && l[i] >= '0' && l[i] <= '9') {
                seq = seq * 10 + (l[i++] - '0');
            }
            int digits = i - SEQ.length;
            if (digits == 0 || (digits > 1 && l[SEQ.length] == '0') || !at(l, i, LEAF_HASH)) {
                return null;
            }
            int start = i + LEAF_HASH.length;
            int end = start;
            while (end < l.length && l[end] != '"') {
                if (l[end] < 0x20 || l[end] == '\\') { // negative: a non-ASCII byte
                    return null;
                }
                end++;
            }
            if (end + 2 != l.length || l[end + 1] != '}') {
                return null;
            }
            return new IndexLine(seq, new String(l, start, end - start, StandardCharsets.US_ASCII),
                    com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        }

        private static boolean at(byte[] l, int offset, byte[] expected) {
            return l.length - offset >= expected.length && Arrays.equals(l, offset, offset + expected.length, expected, 0, expected.length);
        }
    }

    private static void checkEvent(long seq, byte[] bytes, EventChecks producers, List<Found> found) {
        EventJson.Parsed parsed;
        try {
            parsed = EventJson.parseCanonical(bytes); // one canonicalization gives both forms compared below
        } catch (InvalidEventException e) {
            found.add(new Found(seq, new Problem("seq " + seq, "event", e.getMessage())));
            return;
        }
        AuditEvent event = parsed.event();
        if (producers.filter() != null) {
            for (String mismatch : producers.filter().mismatches(event)) {
                found.add(new Found(seq, new Problem("seq " + seq, "selection", mismatch + ": the ledger's query columns "
                        + "were edited, so the export holds an entry its filter does not select")));
            }
        }
        if (!Arrays.equals(parsed.canonical(), bytes)) {
            found.add(new Found(seq, new Problem("seq " + seq, "canonical form",
                    "the event is not in RFC 8785 canonical form, so it is not the form the producer signed")));
        }
        try {
            producers.verifier().verify(event, parsed.signing());
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

    /**
     * Lines as raw bytes (no decoding, so the bytes hashed are exactly the bytes exported), split in a buffer of its
     * own rather than byte by byte through a synchronized stream.
     */
    static final class LineReader implements AutoCloseable {
        private final InputStream in;
        private byte[] buf = new byte[1 << 20];
        private int pos;
        private int end;
        private boolean eof;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** The next line without its '\n'; the last line may lack one; null at the end. */
        byte[] next() throws IOException {
            int scanFrom = pos;
            while (true) {
                for (int i = scanFrom; i < end; i++) {
                    if (buf[i] == '\n') {
                        byte[] line = Arrays.copyOfRange(buf, pos, i);
                        pos = i + 1;
                        return line;
                    }
                }
                int scanned = end - pos;
                if (!fill()) {
                    if (pos == end) {
                        return null;
                    }
                    byte[] line = Arrays.copyOfRange(buf, pos, end);
                    pos = end;
                    return line;
                }
                scanFrom = pos + scanned;
            }
        }

        /** Reads more; false at the end of the stream. Moves a partial line to the front, growing for long lines. */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, end - pos);
                end -= pos;
                pos = 0;
            }
            if (end == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                eof = true;
                return false;
            }
            end += n;
            return true;
        }

        /** Reads to the end without keeping anything, e.g. so a digest over the stream is complete. */
        void drain() throws IOException {
            pos = end;
            while (fill()) {
                pos = end;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
