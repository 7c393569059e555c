package io.flagledger.audit.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.audit.archive.ArchivedPayloads;
import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.audit.checkpoint.CheckpointStore;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.checkpoint.StoredCheckpoint;
import io.flagledger.audit.ingest.TrustedProducers;
import io.flagledger.audit.merkle.Base64s;
import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.audit.query.AuditFilter;
import io.flagledger.audit.query.AuditQuery;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.flagledger.contract.merkle.CompactRange;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerifierKey;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Builds a forensic export bundle (one zip) that an outsider can check with only the checkpoint public key:
 * <ul>
 *   <li>{@code events.jsonl}: each entry's canonical JSON exactly as hashed, one per line, in sequence order;</li>
 *   <li>{@code entries.jsonl}: per line, the entry's {@code seq}, stored {@code leaf_hash} and, for a filtered
 *       export, its inclusion {@code proof} against the checkpoint;</li>
 *   <li>{@code range.json} (range exports): the perfect subtree roots left of the range ({@code prefix}) and the
 *       consistency proof from the range's end to the checkpoint, so the verifier recomputes the root itself;</li>
 *   <li>{@code checkpoint.txt}: the signed note; {@code keys.json}: checkpoint and producer keys;</li>
 *   <li>{@code manifest.json}: selection (for a filtered export, the filter the verifier re-applies to every
 *       signed event), chain of custody and the SHA-256 of every other file;
 *       {@code manifest.sig}: a signed note by the checkpoint key over the manifest's SHA-256.</li>
 * </ul>
 * Blocking: runs on a worker thread and waits on the reactive client, which keeps a million-entry export a
 * plain loop writing to a file.
 */
@ApplicationScoped
public class Exporter {

    public static final String FORMAT = "flagledger-export/1";
    private static final int BATCH = 5000;
    private static final int PROOF_BATCH = 500;
    private static final ObjectMapper JSON = EventJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A written bundle and the signed {@code audit.exported} event that records it (not yet appended). */
    public record Bundle(Path file, String exportId, String manifestSha256, long eventCount, long checkpointSize,
                         AuditEvent exportEvent) {
    }

    @Inject
    MerkleStore tree;

    @Inject
    CheckpointStore checkpoints;

    @Inject
    Checkpointer checkpointer;

    @Inject
    CheckpointKeys checkpointKeys;

    @Inject
    TrustedProducers producers;

    @Inject
    io.flagledger.audit.ingest.OwnEvents ownEvents;

    @Inject
    ExportConfig config;

    @Inject
    ArchivedPayloads archived;

    /** Writes the bundle for {@code request} to {@code target}, reading everything through {@code conn}. */
    public Bundle build(SqlClient conn, ExportRequest request, Actor actor, RequestMetadata from, Path target) {
        AuditFilter filter = request.validate();
        NoteSigner signer = checkpointKeys.signer().orElseThrow(() -> new ProblemException(503,
                "no checkpoint signing key is configured, so nothing can be exported verifiably"));
        long ledgerSize = await(tree.size(conn));
        List<Long> seqs = null;
        long first;
        long last;
        if (filter.isEmpty()) {
            last = request.toSeq() != null ? request.toSeq() : covering(conn, 0).map(StoredCheckpoint::treeSize)
                    .orElseThrow(() -> ProblemException.conflict("no checkpoint has been signed yet"));
            first = request.fromSeq() != null ? request.fromSeq() : 1;
            if (last > ledgerSize) {
                throw ProblemException.notFound("the ledger has " + ledgerSize + " entries, so there is no sequence number " + last);
            }
            if (first > last) {
                throw ProblemException.badRequest("fromSeq (" + first + ") is beyond the end of the range (" + last + ")");
            }
            if (last - first + 1 > config.maxRangeEvents()) {
                throw ProblemException.badRequest("a range export holds at most " + config.maxRangeEvents() + " entries");
            }
        } else {
            AuditQuery.Sql sql = AuditQuery.seqs(filter, config.maxFilteredEvents());
            seqs = new ArrayList<>();
            for (Row r : await(conn.preparedQuery(sql.text()).execute(Tuple.from(sql.parameters())))) {
                seqs.add(r.getLong(0));
            }
            if (seqs.isEmpty()) {
                throw ProblemException.notFound("no ledger entry matches the filter");
            }
            if (seqs.size() > config.maxFilteredEvents()) {
                throw ProblemException.badRequest("more than " + config.maxFilteredEvents() + " entries match; narrow "
                        + "the filter or export a sequence range");
            }
            first = seqs.get(0);
            last = seqs.get(seqs.size() - 1);
        }
        StoredCheckpoint checkpoint = covering(conn, last).orElseThrow(() -> ProblemException.conflict(
                "no signed checkpoint covers sequence number " + last + " yet; retry in a few seconds"));

        String exportId = UuidV7.nextString();
        Instant now = Instant.now();
        ObjectNode selection = JsonNodeFactory.instance.objectNode();
        try (BundleWriter bundle = new BundleWriter(target)) {
            long count;
            if (seqs == null) {
                selection.put("mode", "range").put("from_seq", first).put("to_seq", last);
                count = writeRange(conn, bundle, first, last, checkpoint.treeSize(),
                        target.resolveSibling(target.getFileName() + ".entries"));
            } else {
                selection.put("mode", "filter").set("filter", filterJson(filter));
                count = writeProven(conn, bundle, seqs, checkpoint.treeSize());
            }
            bundle.write("checkpoint.txt", checkpoint.note());
            bundle.write("keys.json", json(keys()));
            ObjectNode manifest = JsonNodeFactory.instance.objectNode()
                    .put("format", FORMAT)
                    .put("export_id", exportId)
                    .put("origin", checkpoint.origin())
                    .put("created_at", now.toString())
                    .put("event_count", count);
            manifest.set("selection", selection);
            manifest.putObject("checkpoint").put("tree_size", checkpoint.treeSize())
                    .put("root_hash", Base64s.of(checkpoint.rootHash())).put("key_name", checkpoint.keyName());
            manifest.set("custody", custody(actor, from, request, now, exportId));
            ObjectNode files = manifest.putObject("files");
            new TreeMap<>(bundle.digests()).forEach((name, d) -> files.putObject(name).put("sha256", d.sha256())
                    .put("bytes", d.bytes()));
            String manifestSha = bundle.write("manifest.json", json(manifest));
            bundle.write("manifest.sig", signer.sign(FORMAT + "\n" + exportId + "\nsha256:" + manifestSha + "\n"));

            ObjectNode recorded = JsonNodeFactory.instance.objectNode().put("export_id", exportId)
                    .put("manifest_sha256", manifestSha).put("event_count", count)
                    .put("checkpoint_size", checkpoint.treeSize()).put("ticket", request.ticket());
            recorded.set("selection", selection);
            AuditEvent event = ownEvents.sign(actor.event(TrustedProducers.SELF, from)
                    .eventId(exportId)
                    .action("audit.exported")
                    .correlationId(request.ticket().strip())
                    .reason(request.reason().strip())
                    .newState(recorded));
            return new Bundle(target, exportId, manifestSha, count, checkpoint.treeSize(), event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The latest checkpoint if it covers {@code seq}; otherwise one is signed now, on the same connection. */
    private Optional<StoredCheckpoint> covering(SqlClient conn, long seq) {
        Optional<StoredCheckpoint> latest = await(checkpoints.latest(conn));
        if (latest.isPresent() && latest.get().treeSize() >= seq && seq > 0) {
            return latest;
        }
        Optional<StoredCheckpoint> fresh = await(checkpointer.checkpointOn(conn));
        Optional<StoredCheckpoint> best = fresh.isPresent() ? fresh : await(checkpoints.latest(conn));
        return best.filter(c -> c.treeSize() >= seq);
    }

    /**
     * Entries first..last with the subtree roots left of them and the consistency proof from last to the checkpoint.
     * One pass over the ledger: each batch gives events.jsonl its payloads and a scratch file the index lines (a zip
     * has one open entry at a time), and the next batch is already on its way while one is written.
     */
    private long writeRange(SqlClient conn, BundleWriter bundle, long first, long last, long checkpointSize, Path scratch)
            throws IOException {
        long count = 0;
        try {
            try (OutputStream index = new BufferedOutputStream(Files.newOutputStream(scratch), 1 << 16);
                 OutputStream events = bundle.entry("events.jsonl")) {
                ArchivedPayloads.Reader archive = archived.reader(conn);
                CompletableFuture<RowSet<Row>> next = batch(conn, first - 1, last);
                while (next != null) {
                    RowSet<Row> rows = next.join();
                    long after = -1;
                    for (Row r : rows) {
                        after = r.getLong(0);
                    }
                    next = rows.size() < BATCH ? null : batch(conn, after, last);
                    for (Row r : rows) {
                        long seq = r.getLong(0);
                        String canonical = r.getString(1);
                        events.write((canonical != null ? canonical : archive.payload(seq)).getBytes(StandardCharsets.UTF_8));
                        events.write('\n');
                        index.write(("{\"seq\":" + seq + ",\"leaf_hash\":\"" + Base64s.of(r.getBuffer(2).getBytes())
                                + "\"}\n").getBytes(StandardCharsets.US_ASCII));
                        count++;
                    }
                }
            }
            try (OutputStream entries = bundle.entry("entries.jsonl")) {
                Files.copy(scratch, entries);
            }
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            Files.deleteIfExists(scratch);
        }
        List<NodeId> prefix = CompactRange.nodes(first - 1);
        Map<NodeId, byte[]> prefixHashes = await(tree.nodes(conn, prefix));
        List<byte[]> consistency = last == checkpointSize ? List.of()
                : await(tree.hashes(conn, ProofPlan.consistency(last, checkpointSize)));
        ObjectNode range = JsonNodeFactory.instance.objectNode().put("from_seq", first).put("to_seq", last)
                .put("checkpoint_size", checkpointSize);
        ArrayNode p = range.putArray("prefix");
        prefix.forEach(id -> p.add(Base64s.of(prefixHashes.get(id))));
        ArrayNode c = range.putArray("consistency");
        consistency.forEach(h -> c.add(Base64s.of(h)));
        bundle.write("range.json", json(range));
        return count;
    }

    /** The (at most BATCH) entries after {@code after} up to {@code last}: seq, canonical_json, leaf_hash. */
    private static CompletableFuture<RowSet<Row>> batch(SqlClient conn, long after, long last) {
        return conn.preparedQuery("select seq, canonical_json, leaf_hash from ledger_entry "
                        + "where seq > $1 and seq <= $2 order by seq limit $3")
                .execute(Tuple.of(after, last, BATCH)).subscribeAsCompletionStage();
    }

    /** Selected entries, each with its inclusion proof against the checkpoint (node reads batched per 500 entries). */
    private long writeProven(SqlClient conn, BundleWriter bundle, List<Long> seqs, long checkpointSize) throws IOException {
        List<String> index = new ArrayList<>(seqs.size());
        ArchivedPayloads.Reader archive = archived.reader(conn);
        long count = 0;
        try (OutputStream events = bundle.entry("events.jsonl")) {
            for (int i = 0; i < seqs.size(); i += PROOF_BATCH) {
                List<Long> chunk = seqs.subList(i, Math.min(seqs.size(), i + PROOF_BATCH));
                RowSet<Row> rows = await(conn.preparedQuery("select seq, canonical_json, leaf_hash from ledger_entry "
                        + "where seq = any($1) order by seq").execute(Tuple.of(chunk.toArray(Long[]::new))));
                Map<Long, ProofPlan> plans = new TreeMap<>();
                Set<NodeId> needed = new LinkedHashSet<>();
                for (Row r : rows) {
                    ProofPlan plan = ProofPlan.inclusion(r.getLong("seq") - 1, checkpointSize);
                    plans.put(r.getLong("seq"), plan);
                    needed.addAll(plan.nodes());
                }
                Map<NodeId, byte[]> nodes = await(tree.nodes(conn, needed));
                for (Row r : rows) {
                    long seq = r.getLong("seq");
                    events.write(line(payload(r, archive)));
                    index.add(entryLine(seq, r.getBuffer("leaf_hash").getBytes(), plans.get(seq).hashes(nodes)));
                    count++;
                }
            }
        }
        try (OutputStream entries = bundle.entry("entries.jsonl")) {
            for (String l : index) {
                entries.write(line(l));
            }
        }
        return count;
    }

    private ObjectNode keys() {
        ObjectNode keys = JsonNodeFactory.instance.objectNode();
        ArrayNode checkpoint = keys.putArray("checkpoint_keys");
        checkpointKeys.current().map(NoteVerifierKey::encoded).ifPresent(checkpoint::add);
        checkpointKeys.previous().forEach(k -> checkpoint.add(k.encoded()));
        ArrayNode list = keys.putArray("producers");
        for (TrustedProducers.ProducerKey k : producers.all()) {
            ObjectNode p = list.addObject().put("key_id", k.keyId()).put("public_key", k.publicKey());
            ArrayNode services = p.putArray("services");
            k.services().forEach(services::add);
        }
        return keys;
    }

    /**
     * The filter as the verifier re-applies it to each signed event (the fields of {@link ExportRequest.Filter}, only
     * those given): the rows were selected by query columns outside the leaf hash, so the bundle must say by which.
     */
    static ObjectNode filterJson(AuditFilter f) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        BiConsumer<String, String> put = (name, value) -> {
            if (value != null && !value.isBlank()) {
                n.put(name, value);
            }
        };
        put.accept("project", f.project());
        put.accept("flag", f.flag());
        put.accept("environment", f.environment());
        put.accept("actor", f.actor());
        put.accept("actorType", f.actorType());
        put.accept("action", f.action());
        put.accept("correlationId", f.correlationId());
        put.accept("source", f.source());
        put.accept("channel", f.channel());
        put.accept("from", f.from() == null ? null : f.from().toString());
        put.accept("to", f.to() == null ? null : f.to().toString());
        return n;
    }

    private static ObjectNode custody(Actor actor, RequestMetadata from, ExportRequest request, Instant now, String exportId) {
        ObjectNode custody = JsonNodeFactory.instance.objectNode();
        ObjectNode by = custody.putObject("exported_by").put("id", actor.id())
                .put("type", actor.type().name().toLowerCase(java.util.Locale.ROOT));
        if (actor.name() != null) {
            by.put("name", actor.name());
        }
        if (actor.email() != null) {
            by.put("email", actor.email());
        }
        ArrayNode roles = by.putArray("roles");
        actor.roles().forEach(roles::add);
        custody.put("exported_at", now.toString()).put("reason", request.reason().strip())
                .put("ticket", request.ticket().strip())
                .put("recorded_as", "ledger event " + exportId + " (action audit.exported, source audit-service)");
        if (from != null && from.clientAddress() != null) {
            custody.put("client_address", from.clientAddress());
        }
        return custody;
    }

    private static String entryLine(long seq, byte[] leafHash, List<byte[]> proof) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("seq", seq).put("leaf_hash", Base64s.of(leafHash));
        if (proof != null) {
            ArrayNode p = n.putArray("proof");
            proof.forEach(h -> p.add(Base64s.of(h)));
        }
        return n.toString();
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entry's canonical event: from the hot store, or from its archive segment once retention moved it. */
    private static String payload(Row row, ArchivedPayloads.Reader archive) {
        String canonical = row.getString("canonical_json");
        return canonical != null ? canonical : archive.payload(row.getLong("seq"));
    }

    private static <T> T await(io.smallrye.mutiny.Uni<T> uni) {
        return uni.await().indefinitely();
    }
}
