package io.flagledger.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.CliCommand;
import io.flagledger.cli.Yaml;
import io.flagledger.cli.http.AuditApi;
import io.flagledger.cli.http.Http;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerificationException;
import io.flagledger.contract.merkle.ProofVerifier;
import io.flagledger.contract.note.NoteVerificationException;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import io.flagledger.verifier.BundleVerifier;
import io.flagledger.verifier.Report;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The incident queries on the audit ledger, evidence export, offline verification and inclusion proofs.",
        subcommands = {AuditCommand.Events.class, AuditCommand.Timeline.class, AuditCommand.Export.class,
                AuditCommand.Verify.class, AuditCommand.Prove.class})
public class AuditCommand {


    /** The search filters of GET /api/v1/audit/events (and of an export). */
    static class Filters {
        @Option(names = {"-p", "--project"}, description = "Project")
        String project;
        @Option(names = "--flag", description = "Flag key")
        String flag;
        @Option(names = {"-e", "--environment"}, description = "Environment")
        String environment;
        @Option(names = "--actor", description = "Actor id (who)")
        String actor;
        @Option(names = "--action", description = "Action, e.g. flag.environment.updated")
        String action;
        @Option(names = "--correlation-id", description = "Correlation id (a CI run, a change ticket)")
        String correlationId;
        @Option(names = "--from", description = "From, RFC 3339 (e.g. 2026-04-04T12:00:00Z)")
        String from;
        @Option(names = "--to", description = "To, RFC 3339")
        String to;

        Map<String, String> query() {
            Map<String, String> q = new LinkedHashMap<>();
            put(q, "project", project);
            put(q, "flag", flag);
            put(q, "environment", environment);
            put(q, "actor", actor);
            put(q, "action", action);
            put(q, "correlation_id", correlationId);
            put(q, "from", from);
            put(q, "to", to);
            return q;
        }

        ObjectNode exportFilter() {
            ObjectNode f = JsonNodeFactory.instance.objectNode();
            query().forEach((k, v) -> f.put(k.equals("correlation_id") ? "correlationId" : k, v));
            return f;
        }

        private static void put(Map<String, String> q, String k, String v) {
            if (v != null && !v.isBlank()) {
                q.put(k, v);
            }
        }
    }

    static String line(JsonNode e) {
        String who = e.path("actor_name").asText("");
        return e.path("timestamp").asText() + "  " + (who.isEmpty() ? e.path("actor_id").asText() : who + " (" + e.path("actor_id").asText() + ")")
                + "  " + e.path("action").asText() + "  " + e.path("project").asText("") + "/" + e.path("flag_id").asText("")
                + (e.path("environment").isTextual() ? " [" + e.path("environment").asText() + "]" : "")
                + (e.path("correlation_id").isTextual() ? "  correlation " + e.path("correlation_id").asText() : "")
                + (e.path("reason").isTextual() ? "  reason: " + e.path("reason").asText() : "")
                + "  event " + e.path("event_id").asText();
    }

    /** A change of flags or segments that carries no approval (none was needed, or the gate was bypassed). */
    static boolean withoutApproval(JsonNode e) {
        String action = e.path("action").asText();
        return (action.startsWith("flag.") || action.startsWith("segment.")) && !e.path("scope").has("approval");
    }

    @Command(name = "events", aliases = "changes", mixinStandardHelpOptions = true,
            description = "Who changed what: ledger entries by time window, actor, correlation id, flag or environment, oldest "
                    + "first. Exit 1 when --without-approval finds changes.")
    public static class Events extends CliCommand {
        @Mixin
        Filters filters;

        @Option(names = "--without-approval", description = "Only flag and segment changes that carry no approval")
        boolean withoutApproval;

        @Option(names = "--max", defaultValue = "10000", description = "At most this many entries (default ${DEFAULT-VALUE})")
        int max;

        @Override
        public Integer call() {
            AuditApi audit = services.audit(options);
            Map<String, String> q = filters.query();
            q.put("limit", "500");
            List<JsonNode> events = new ArrayList<>();
            String cursor = null;
            do {
                if (cursor != null) {
                    q.put("cursor", cursor);
                }
                JsonNode page = Http.json(audit.events(q), "audit events", 200);
                for (JsonNode item : page.path("items")) {
                    JsonNode e = item.path("event");
                    if (!withoutApproval || withoutApproval(e)) {
                        events.add(e);
                    }
                }
                cursor = page.path("nextCursor").isNumber() ? page.path("nextCursor").asText() : null;
            } while (cursor != null && events.size() < max);
            List<JsonNode> shown = events.subList(0, Math.min(max, events.size()));
            if (options.json()) {
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                shown.forEach(a::add);
                out().println(Yaml.pretty(a));
            } else {
                shown.forEach(e -> out().println(line(e)));
                out().println(shown.size() + " entr" + (shown.size() == 1 ? "y" : "ies"));
            }
            return withoutApproval && !shown.isEmpty() ? ExitCodes.FINDINGS : ExitCodes.OK;
        }
    }

    @Command(name = "timeline", mixinStandardHelpOptions = true,
            description = "A flag's ledger entries and those correlated with them (change requests, reverts), newest first.")
    public static class Timeline extends CliCommand {
        @Option(names = {"-p", "--project"}, required = true, description = "Project")
        String project;

        @Parameters(index = "0", paramLabel = "FLAG")
        String flag;

        @Option(names = "--limit", defaultValue = "100", description = "At most this many entries (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            JsonNode t = Http.json(services.audit(options).timeline(project, flag, null, limit), "timeline of " + flag, 200);
            if (options.json()) {
                out().println(Yaml.pretty(t));
            } else {
                for (JsonNode item : t.path("items")) {
                    out().println(item.path("kind").asText() + "  " + line(item.path("event")));
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export ledger entries as a signed, offline-verifiable bundle (zip) with the reason and ticket "
                    + "recorded (the export itself is a ledger event: chain of custody). Prints the bundle's SHA-256.")
    public static class Export extends CliCommand {
        @Mixin
        Filters filters;

        @Option(names = "--reason", required = true, description = "Why the evidence is taken")
        String reason;

        @Option(names = "--ticket", description = "Case or incident ticket")
        String ticket;

        @Option(names = {"-o", "--out"}, required = true, description = "Bundle file to write")
        Path out;

        @Override
        public Integer call() throws IOException {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.set("filter", filters.exportFilter());
            body.put("reason", reason);
            if (ticket != null) {
                body.put("ticket", ticket);
            }
            try (Response r = services.audit(options).export(body)) {
                if (r.getStatus() != 200) {
                    throw Http.failure(r, "export");
                }
                try (InputStream in = r.readEntity(InputStream.class)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            String sha = sha256(out);
            if (options.json()) {
                out().println(Yaml.pretty(Map.of("bundle", out.toString(), "sha256", sha, "bytes", Files.size(out))));
            } else {
                out().println("Wrote " + out + " (" + Files.size(out) + " bytes), SHA-256 " + sha);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify an export bundle offline (audit-verifier): every signature, leaf, proof and the signed "
                    + "checkpoint, with only the checkpoint key. Exit 1 when it does not verify.")
    public static class Verify extends CliCommand {
        @Parameters(index = "0", paramLabel = "BUNDLE")
        Path bundle;

        @Option(names = "--key", required = true, description = "Checkpoint verifier key (name+hash+base64, as GET /api/v1/audit/keys "
                + "publishes it) or a file with one per line")
        List<String> keys;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(bundle)) {
                throw new CliException(ExitCodes.ERROR, "no such bundle: " + bundle);
            }
            Report report = new BundleVerifier(verifierKeys(keys)).verify(bundle);
            if (options.json()) {
                out().println(Yaml.pretty(Map.of("verified", report.verified(), "summary", report.summary(),
                        "entries", report.entries(), "problems", report.problems().stream().map(Object::toString).toList())));
            } else if (report.verified()) {
                out().println("VERIFIED: " + report.summary());
            } else {
                report.problems().forEach(p -> out().println("FAILED " + p));
                out().println("NOT VERIFIED (" + report.problems().size() + " problems, " + report.entries() + " entries read)");
            }
            return report.verified() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    @Command(name = "prove", mixinStandardHelpOptions = true,
            description = "Prove that an event is in the ledger: recompute its leaf hash from the event, check the inclusion "
                    + "proof against the root of the signed checkpoint, and the checkpoint's signature with the published key. "
                    + "Exit 1 when any check fails.")
    public static class Prove extends CliCommand {
        @Parameters(index = "0", paramLabel = "EVENT_ID")
        String eventId;

        @Option(names = "--key", required = true, description = "Checkpoint verifier key (name+hash+base64) or a file with one per line")
        List<String> keys;

        @Override
        public Integer call() {
            JsonNode entry = Http.json(services.audit(options).event(eventId, null), "event " + eventId, 200);
            JsonNode proof = entry.path("inclusionProof");
            List<String> failures = new ArrayList<>();
            String checked = null;
            if (!proof.isObject()) {
                failures.add("no inclusion proof yet: no checkpoint covers the event; try again after the next checkpoint");
            } else {
                try {
                    checked = prove(entry.path("event"), proof, verifierKeys(keys));
                } catch (ProofFailure e) {
                    failures.add(e.getMessage());
                }
            }
            if (options.json()) {
                out().println(Yaml.pretty(Map.of("eventId", eventId, "proven", failures.isEmpty(),
                        "detail", failures.isEmpty() ? checked : String.join("; ", failures))));
            } else if (failures.isEmpty()) {
                out().println("PROVEN: " + checked);
            } else {
                failures.forEach(f -> out().println("FAILED " + f));
            }
            return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    static final class ProofFailure extends Exception {
        ProofFailure(String message) {
            super(message);
        }
    }

    /**
     * The three checks that make a proof independent of the server: the leaf hash is the event's own, the path leads to
     * the root, and that root is the one a trusted key signed (not the server's {@code rootHash} field).
     */
    static String prove(JsonNode event, JsonNode proof, List<NoteVerifierKey> trusted) throws ProofFailure {
        byte[] leaf = MerkleHash.leaf(CanonicalJson.canonicalize(event));
        byte[] served = Base64.getDecoder().decode(proof.path("leafHash").asText());
        if (!MessageDigest.isEqual(leaf, served)) {
            throw new ProofFailure("the event's leaf hash " + HexFormat.of().formatHex(leaf) + " is not the one served");
        }
        String note = proof.path("checkpoint").asText(null);
        if (note == null) {
            throw new ProofFailure("the proof names no signed checkpoint");
        }
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(new NoteVerifier(trusted).open(note).text());
        } catch (NoteVerificationException | IllegalArgumentException e) {
            throw new ProofFailure("the checkpoint is not signed by a trusted key: " + e.getMessage());
        }
        if (checkpoint.size() != proof.path("treeSize").asLong()) {
            throw new ProofFailure("the proof is for tree size " + proof.path("treeSize").asLong() + ", the checkpoint for " + checkpoint.size());
        }
        List<byte[]> path = new ArrayList<>();
        proof.path("hashes").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
        try {
            ProofVerifier.verifyInclusion(proof.path("leafIndex").asLong(), checkpoint.size(), leaf, path, checkpoint.rootHash());
        } catch (ProofVerificationException e) {
            throw new ProofFailure("the inclusion proof does not lead to the signed root: " + e.getMessage());
        }
        return "event " + event.path("event_id").asText() + " is leaf " + proof.path("leafIndex").asLong() + " of the "
                + checkpoint.size() + "-entry tree signed in checkpoint " + checkpoint.origin();
    }

    static List<NoteVerifierKey> verifierKeys(List<String> arguments) {
        List<NoteVerifierKey> out = new ArrayList<>();
        for (String arg : arguments) {
            try {
                Path file = Path.of(arg);
                List<String> lines = !arg.contains("+") && Files.isRegularFile(file)
                        ? Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of(arg.strip());
                for (String k : lines) {
                    out.add(NoteVerifierKey.parse(k));
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new CliException(ExitCodes.ERROR, "cannot read the checkpoint key " + arg + ": " + e.getMessage());
            }
        }
        return out;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
