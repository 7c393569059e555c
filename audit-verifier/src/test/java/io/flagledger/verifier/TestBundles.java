package io.flagledger.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerifierKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A signed log of synthetic flag events held in memory, and bundles of it in the export format (written
 * independently of audit-service, from the format description, so the verifier is checked against the format
 * rather than against one implementation). Files stay editable before zipping, to tamper with them.
 */
final class TestBundles {

    static final String ORIGIN = "flagledger.test/audit";
    static final String PRODUCER_KEY_ID = "flag-api-1";

    final NoteSigner checkpointSigner = new NoteSigner(ORIGIN, Ed25519Keys.generate().getPrivate());
    final KeyPair producer = Ed25519Keys.generate();
    final List<byte[]> events = new ArrayList<>();
    final MemoryTree tree = new MemoryTree();

    TestBundles(int size) {
        EventSigner signer = new EventSigner(PRODUCER_KEY_ID, producer.getPrivate());
        for (int i = 0; i < size; i++) {
            append(EventJson.canonicalBytes(signer.sign(event(i))));
        }
    }

    /** {@code size} events signed {@code batch} at a time (schema version 2), as the outbox relay signs them. */
    static TestBundles batchSigned(int size, int batch) {
        TestBundles log = new TestBundles(0);
        log.appendBatchSigned(0, size, batch);
        return log;
    }

    /** Appends events first..first+count-1, one batch signature per {@code batch} of them. */
    void appendBatchSigned(int first, int count, int batch) {
        EventSigner signer = new EventSigner(PRODUCER_KEY_ID, producer.getPrivate());
        for (int start = first; start < first + count; start += batch) {
            List<AuditEvent> unsigned = new ArrayList<>();
            for (int i = start; i < Math.min(first + count, start + batch); i++) {
                unsigned.add(event(i));
            }
            signer.signBatch(unsigned).forEach(e -> append(EventJson.canonicalBytes(e)));
        }
    }

    void append(byte[] canonical) {
        events.add(canonical);
        tree.append(MerkleHash.leaf(canonical));
    }

    static AuditEvent event(int i) {
        return AuditEvent.builder().action("flag.toggled").actorId("alice").actorType(ActorType.USER)
                .sourceService("flag-api").project("shop").flagId("flag-" + (i % 7)).environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                .correlationId("ci-" + i).reason("change " + i).build();
    }

    NoteVerifierKey checkpointKey() {
        return checkpointSigner.verifierKey();
    }

    /** The files of a bundle, editable, then {@link #zip}ped. */
    static final class Bundle {
        final Map<String, byte[]> files = new LinkedHashMap<>();

        String text(String name) {
            return new String(files.get(name), StandardCharsets.UTF_8);
        }

        void text(String name, String content) {
            files.put(name, content.getBytes(StandardCharsets.UTF_8));
        }

        /** Replaces line {@code index} (0-based) of a .jsonl file. */
        void line(String name, int index, Function<String, String> edit) {
            List<String> lines = new ArrayList<>(text(name).lines().toList());
            lines.set(index, edit.apply(lines.get(index)));
            text(name, String.join("\n", lines) + "\n");
        }

        void removeLine(String name, int index) {
            List<String> lines = new ArrayList<>(text(name).lines().toList());
            lines.remove(index);
            text(name, String.join("\n", lines) + "\n");
        }

        void swapLines(String name, int a, int b) {
            List<String> lines = new ArrayList<>(text(name).lines().toList());
            java.util.Collections.swap(lines, a, b);
            text(name, String.join("\n", lines) + "\n");
        }

        Path zip(Path target) throws IOException {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(target))) {
                for (var e : files.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            return target;
        }
    }

    /** Entries from..to (1-based seqs) against a checkpoint of the first {@code checkpointSize} entries. */
    Bundle range(long from, long to, long checkpointSize) {
        Bundle b = new Bundle();
        StringBuilder ev = new StringBuilder();
        StringBuilder idx = new StringBuilder();
        for (long seq = from; seq <= to; seq++) {
            ev.append(new String(events.get((int) seq - 1), StandardCharsets.UTF_8)).append('\n');
            idx.append(entry(seq, null)).append('\n');
        }
        b.text("events.jsonl", ev.toString());
        b.text("entries.jsonl", idx.toString());
        ObjectNode range = JsonNodeFactory.instance.objectNode().put("from_seq", from).put("to_seq", to)
                .put("checkpoint_size", checkpointSize);
        ArrayNode prefix = range.putArray("prefix");
        long m = from - 1;
        for (int level = 62; level >= 0; level--) {
            if (((m >>> level) & 1) == 1) {
                prefix.add(b64(tree.nodes(List.of(new NodeId(level, (m >>> level) - 1))).values().iterator().next()));
            }
        }
        ArrayNode consistency = range.putArray("consistency");
        if (to < checkpointSize) {
            tree.consistencyProof(to, checkpointSize).forEach(h -> consistency.add(b64(h)));
        }
        b.text("range.json", range.toString());
        ObjectNode selection = JsonNodeFactory.instance.objectNode().put("mode", "range").put("from_seq", from).put("to_seq", to);
        return common(b, selection, to - from + 1, checkpointSize);
    }

    /** The given entries, each with its inclusion proof, selected by a filter every entry matches. */
    Bundle filtered(List<Long> seqs, long checkpointSize) {
        return filtered(seqs, checkpointSize, JsonNodeFactory.instance.objectNode().put("project", "shop"));
    }

    /** The given entries, each with its inclusion proof, as if {@code filter} had selected them. */
    Bundle filtered(List<Long> seqs, long checkpointSize, ObjectNode filter) {
        Bundle b = new Bundle();
        StringBuilder ev = new StringBuilder();
        StringBuilder idx = new StringBuilder();
        for (long seq : seqs) {
            ev.append(new String(events.get((int) seq - 1), StandardCharsets.UTF_8)).append('\n');
            idx.append(entry(seq, tree.inclusionProof(seq - 1, checkpointSize))).append('\n');
        }
        b.text("events.jsonl", ev.toString());
        b.text("entries.jsonl", idx.toString());
        ObjectNode selection = JsonNodeFactory.instance.objectNode().put("mode", "filter");
        selection.set("filter", filter);
        return common(b, selection, seqs.size(), checkpointSize);
    }

    private Bundle common(Bundle b, ObjectNode selection, long count, long checkpointSize) {
        Checkpoint c = new Checkpoint(ORIGIN, checkpointSize, tree.root(checkpointSize));
        b.text("checkpoint.txt", checkpointSigner.sign(c.body()));
        ObjectNode keys = JsonNodeFactory.instance.objectNode();
        keys.putArray("checkpoint_keys").add(checkpointKey().encoded());
        ObjectNode p = keys.putArray("producers").addObject().put("key_id", PRODUCER_KEY_ID)
                .put("public_key", Ed25519Keys.encodePublic(producer.getPublic()));
        p.putArray("services").add("flag-api");
        b.text("keys.json", keys.toPrettyString());
        ObjectNode manifest = JsonNodeFactory.instance.objectNode().put("format", BundleVerifier.FORMAT)
                .put("export_id", "0190a0a0-0000-7000-8000-000000000001").put("origin", ORIGIN)
                .put("created_at", "2026-04-04T10:00:00Z").put("event_count", count);
        manifest.set("selection", selection);
        manifest.putObject("checkpoint").put("tree_size", checkpointSize).put("root_hash", c.rootBase64()).put("key_name", ORIGIN);
        ObjectNode custody = manifest.putObject("custody");
        custody.putObject("exported_by").put("id", "auditor-subject").put("type", "user");
        custody.put("exported_at", "2026-04-04T10:00:00Z").put("reason", "forensics").put("ticket", "INC-1");
        seal(b, manifest, checkpointSigner);
        return b;
    }

    /** Rewrites the manifest's file list and signs it, with whatever key the caller holds. */
    static void seal(Bundle b, ObjectNode manifest, NoteSigner signer) {
        b.files.remove("manifest.json");
        b.files.remove("manifest.sig");
        ObjectNode files = manifest.putObject("files");
        new TreeMap<>(b.files).forEach((name, bytes) -> files.putObject(name).put("sha256", sha256(bytes))
                .put("bytes", bytes.length));
        String json = manifest.toPrettyString() + "\n";
        b.text("manifest.json", json);
        b.text("manifest.sig", signer.sign(BundleVerifier.FORMAT + "\n" + manifest.path("export_id").asText()
                + "\nsha256:" + sha256(json.getBytes(StandardCharsets.UTF_8)) + "\n"));
    }

    static ObjectNode manifest(Bundle b) throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(b.files.get("manifest.json"));
    }

    private String entry(long seq, List<byte[]> proof) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("seq", seq)
                .put("leaf_hash", b64(MerkleHash.leaf(events.get((int) seq - 1))));
        if (proof != null) {
            ArrayNode p = n.putArray("proof");
            proof.forEach(h -> p.add(b64(h)));
        }
        return n.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] h) {
        return Base64.getEncoder().encodeToString(h);
    }
}
