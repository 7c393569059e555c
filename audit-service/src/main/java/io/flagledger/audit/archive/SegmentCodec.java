package io.flagledger.audit.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.note.NoteVerificationException;
import io.flagledger.contract.note.NoteVerifier;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The archived segment format {@value #FORMAT}: gzip'd JSON Lines. The first line is the header (origin, seq range,
 * the sealing checkpoint's signed note, and the perfect subtree roots of every leaf before the range); each further
 * line is one entry with its canonical event as a JSON string, byte for byte what was hashed. With only the
 * checkpoint public key, {@link #verify} re-hashes every entry and recomputes the signed root. Deterministic
 * (gzip without a timestamp), so two replicas sealing the same range write identical objects.
 */
public final class SegmentCodec {

    public static final String FORMAT = "flagledger-archive-segment/1";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private SegmentCodec() {
    }

    public static String key(long firstSeq, long lastSeq) {
        return String.format("segments/%020d-%020d.jsonl.gz", firstSeq, lastSeq);
    }

    public static byte[] encode(String origin, long firstSeq, long lastSeq, String checkpointNote,
                                List<SubtreeHash> prefix, List<SegmentEntry> entries) {
        ObjectNode header = JSON.createObjectNode().put("format", FORMAT).put("origin", origin)
                .put("first_seq", firstSeq).put("last_seq", lastSeq).put("checkpoint", checkpointNote);
        ArrayNode subtrees = header.putArray("prefix_subtrees");
        prefix.forEach(s -> subtrees.addObject().put("level", s.level()).put("index", s.index()).put("hash", B64.encodeToString(s.hash())));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer out = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
            out.write(JSON.writeValueAsString(header));
            out.write('\n');
            for (SegmentEntry e : entries) {
                ObjectNode line = JSON.createObjectNode().put("seq", e.seq()).put("leaf_hash", B64.encodeToString(e.leafHash()))
                        .put("received_at", e.receivedAt().toString()).put("source", e.source()).put("event", e.canonicalJson());
                out.write(JSON.writeValueAsString(line));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What a verified segment holds. */
    public record Verified(long firstSeq, long lastSeq, Checkpoint checkpoint, int entries) {
    }

    /**
     * Checks a segment with only the checkpoint verifier keys: the signed note, every entry's leaf hash against its
     * payload, a dense seq range, and the root recomputed from prefix subtrees plus leaves against the signed root.
     *
     * @throws SegmentInvalidException saying which check failed
     */
    public static Verified verify(byte[] object, NoteVerifier verifier) {
        List<String> lines = lines(object);
        if (lines.isEmpty()) {
            throw new SegmentInvalidException("empty segment");
        }
        try {
            JsonNode header = JSON.readTree(lines.get(0));
            if (!FORMAT.equals(header.path("format").asText())) {
                throw new SegmentInvalidException("unknown format " + header.path("format"));
            }
            long first = header.path("first_seq").asLong();
            long last = header.path("last_seq").asLong();
            Checkpoint checkpoint = Checkpoint.parse(verifier.open(header.path("checkpoint").asText()).text());
            if (checkpoint.size() != last) {
                throw new SegmentInvalidException("the checkpoint seals size " + checkpoint.size() + ", the segment ends at " + last);
            }
            List<SubtreeHash> prefix = new ArrayList<>();
            for (JsonNode s : header.path("prefix_subtrees")) {
                prefix.add(new SubtreeHash(s.path("level").asInt(), s.path("index").asLong(), B64D.decode(s.path("hash").asText())));
            }
            List<NodeId> expectedPrefix = CompactRange.nodes(first - 1);
            if (!prefix.stream().map(s -> new NodeId(s.level(), s.index())).toList().equals(expectedPrefix)) {
                throw new SegmentInvalidException("prefix subtrees are not the " + expectedPrefix.size()
                        + " perfect subtrees left of seq " + first + " " + expectedPrefix);
            }
            CompactRange tree = CompactRange.of(first - 1, prefix.stream().map(SubtreeHash::hash).toList());
            long expected = first;
            for (int i = 1; i < lines.size(); i++) {
                JsonNode line = JSON.readTree(lines.get(i));
                long seq = line.path("seq").asLong();
                if (seq != expected) {
                    throw new SegmentInvalidException("entry " + i + " has seq " + seq + ", expected " + expected);
                }
                byte[] leaf = MerkleHash.leaf(line.path("event").asText().getBytes(StandardCharsets.UTF_8));
                if (!MessageDigest.isEqual(leaf, B64D.decode(line.path("leaf_hash").asText()))) {
                    throw new SegmentInvalidException("seq " + seq + ": the event does not hash to its leaf hash");
                }
                tree.append(leaf);
                expected++;
            }
            if (expected != last + 1) {
                throw new SegmentInvalidException("the segment ends at seq " + (expected - 1) + ", its header says " + last);
            }
            if (!MessageDigest.isEqual(tree.root(), checkpoint.rootHash())) {
                throw new SegmentInvalidException("the leaves give a different root than the signed checkpoint of size " + last);
            }
            return new Verified(first, last, checkpoint, lines.size() - 1);
        } catch (IOException | IllegalArgumentException e) {
            throw new SegmentInvalidException("unreadable segment: " + e.getMessage());
        } catch (NoteVerificationException e) {
            throw new SegmentInvalidException("the checkpoint note does not verify: " + e.getMessage());
        }
    }

    /** The canonical event of each entry by seq, without checks: callers compare the object's SHA-256 first. */
    public static Map<Long, String> payloads(byte[] object) {
        List<String> lines = lines(object);
        Map<Long, String> bySeq = new HashMap<>();
        try {
            for (int i = 1; i < lines.size(); i++) {
                JsonNode entry = JSON.readTree(lines.get(i));
                bySeq.put(entry.path("seq").asLong(), entry.path("event").asText());
            }
        } catch (IOException e) {
            throw new SegmentInvalidException("unreadable segment entry: " + e.getMessage());
        }
        return bySeq;
    }

    private static List<String> lines(byte[] object) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(object)), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new SegmentInvalidException("not a gzip'd JSON Lines segment: " + e.getMessage());
        }
        return lines;
    }
}
