package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.CliCommand;
import io.flagledger.cli.Yaml;
import io.flagledger.cli.http.ApprovalApi;
import io.flagledger.cli.http.FlagApi;
import io.flagledger.cli.http.Http;
import jakarta.ws.rs.core.Response;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Apply the plan: unprotected environments directly (If-Match the version planned), protected ones by "
                + "filing one change request per flag/segment and environment, printing their URLs. The correlation id "
                + "comes from the CI run (GitHub Actions, GitLab CI, Jenkins, Buildkite) or --correlation-id. Exit 0 when "
                + "everything was applied or filed (with --wait: applied), 1 when a request was rejected or not applied in time.")
public class ApplyCommand extends CliCommand {

    private static final Set<String> FINAL_BAD = Set.of("rejected", "withdrawn", "expired", "superseded", "failed");

    @Mixin
    ProjectDir target;

    @Option(names = "--correlation-id", description = "Correlation id (default: from the CI run's variables)")
    String correlationId;

    @Option(names = "--reason", description = "Why (recorded in the ledger and shown to approvers); default names the CI run")
    String reason;

    @Option(names = "--wait", description = "Wait until every change request was approved and applied")
    boolean waitForApproval;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "How long --wait waits, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    /** What apply did for one change: the new version, or the change request filed (id, URL). */
    record Outcome(Plan.Change change, String result, Long version, String requestId, String requestUrl) {
    }

    @Override
    public Integer call() {
        Correlation ci = Correlation.fromEnvironment(System.getenv()).orElse(null);
        String correlation = correlationId != null ? correlationId : ci != null ? ci.id() : null;
        if (correlation == null) {
            throw new CliException(ExitCodes.ERROR, "no correlation id: run in CI (GitHub Actions, GitLab CI, Jenkins, "
                    + "Buildkite) or pass --correlation-id");
        }
        String why = reason != null ? reason : "flagledger apply from Git" + (ci == null ? "" : " (" + ci.system()
                + (ci.url() == null ? "" : " " + ci.url()) + ")");
        FlagApi flags = services.flagApi(options);
        FlagFiles.Project files = FlagFiles.read(target.dir);
        List<Outcome> outcomes = new ArrayList<>();
        List<Plan.Change> plan = Plan.between(files, Live.fetch(flags, target.project, files.segments().keySet()));
        boolean created = false;
        for (Plan.Change c : plan) {
            if (c.kind() == Plan.Kind.CREATE_FLAG) {
                outcomes.add(create(flags, c, correlation, why));
                created = true;
            }
        }
        if (created) {
            // a new flag starts off everywhere; its environments are planned against that like any other
            plan = Plan.between(files, Live.fetch(flags, target.project, files.segments().keySet()));
        }
        ApprovalApi approvals = services.approvals(options);
        for (Plan.Change c : plan) {
            switch (c.kind()) {
                case METADATA -> outcomes.add(metadata(flags, approvals, c, correlation, why));
                case ENVIRONMENT, SEGMENT -> outcomes.add(c.route() == Plan.Route.DIRECT
                        ? direct(flags, approvals, c, correlation, why) : file(approvals, c, correlation, why));
                default -> { }
            }
        }
        int exit = ExitCodes.OK;
        if (waitForApproval) {
            exit = await(approvals, outcomes);
        }
        print(outcomes, correlation);
        return exit;
    }

    private Outcome create(FlagApi flags, Plan.Change c, String correlation, String why) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        JsonNode doc = c.desired();
        for (String f : List.of("key", "name", "description", "kind", "type", "owner", "expiresAt", "tags", "risk", "clientVisible")) {
            if (doc.hasNonNull(f)) {
                body.set(f, doc.get(f));
            }
        }
        if (doc.has("variations")) {
            ArrayNode variations = body.putArray("variations");
            doc.get("variations").forEach(v -> variations.addObject().put("name", v.path("name").asText()).set("value", v.get("value")));
        }
        body.put("reason", why);
        Http.json(flags.create(target.project, correlation, body), "create flag " + c.flag(), 201);
        return new Outcome(c, "created", 0L, null, null);
    }

    /** Metadata affects every environment; where flag-api wants an approval for it (428), a change request. */
    private Outcome metadata(FlagApi flags, ApprovalApi approvals, Plan.Change c, String correlation, String why) {
        ObjectNode body = ((ObjectNode) c.desired()).deepCopy();
        body.put("reason", why);
        try (Response r = flags.updateMetadata(target.project, c.flag(), quoted(c.baseVersion()), correlation, body)) {
            if (r.getStatus() == 428) {
                ObjectNode request = JsonNodeFactory.instance.objectNode().put("project", target.project).put("flag", c.flag())
                        .put("operation", "metadata").put("baseVersion", c.baseVersion());
                request.set("metadata", c.desired());
                request.put("reason", why).put("correlationId", correlation);
                return filed(Http.json(approvals.file(request), "file a change request for " + c.subject(), 201), c);
            }
            if (r.getStatus() != 200) {
                throw Http.failure(r, "change metadata of " + c.flag());
            }
            return new Outcome(c, "applied", Http.version(r), null, null);
        }
    }

    /** An unprotected environment: a conditional write; when flag-api says it is protected after all, a change request. */
    private Outcome direct(FlagApi flags, ApprovalApi approvals, Plan.Change c, String correlation, String why) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set(c.segment() != null ? "definition" : "config", c.desired());
        body.put("reason", why).put("correlationId", correlation);
        try (Response r = c.segment() != null
                ? flags.putSegment(target.project, c.environment(), c.segment(), c.baseVersion() == 0 ? null : quoted(c.baseVersion()), correlation, body)
                : flags.updateEnvironment(target.project, c.flag(), c.environment(), quoted(c.baseVersion()), correlation, body)) {
            if (r.getStatus() == 428) {
                return file(approvals, c, correlation, why);
            }
            if (r.getStatus() != 200 && r.getStatus() != 201) {
                throw Http.failure(r, "apply " + c.subject() + (r.getStatus() == 412 ? " (changed since the plan: run plan again)" : ""));
            }
            return new Outcome(c, "applied", Http.version(r), null, null);
        }
    }

    private Outcome file(ApprovalApi approvals, Plan.Change c, String correlation, String why) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("project", target.project);
        if (c.segment() != null) {
            body.put("segment", c.segment()).put("environment", c.environment()).put("baseVersion", c.baseVersion());
            body.set("definition", c.desired());
        } else {
            body.put("flag", c.flag()).put("environment", c.environment()).put("baseVersion", c.baseVersion());
            body.set("config", c.desired());
        }
        body.put("reason", why).put("correlationId", correlation);
        return filed(Http.json(approvals.file(body), "file a change request for " + c.subject(), 201), c);
    }

    private Outcome filed(JsonNode request, Plan.Change c) {
        String id = request.path("id").asText();
        return new Outcome(c, "change request filed", null, id, requestUrl(id));
    }

    private String requestUrl(String id) {
        String base = options.approvalService.endsWith("/") ? options.approvalService : options.approvalService + "/";
        return base + "console/requests/" + id;
    }

    /** Polls each filed request until applied; a rejected (or otherwise final, unapplied) one is a finding. */
    private int await(ApprovalApi approvals, List<Outcome> outcomes) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Outcome> open = new ArrayList<>(outcomes.stream().filter(o -> o.requestId() != null).toList());
        int exit = ExitCodes.OK;
        while (!open.isEmpty()) {
            for (Outcome o : List.copyOf(open)) {
                JsonNode cr = Http.json(approvals.get(o.requestId()), "change request " + o.requestId(), 200);
                String state = cr.path("state").asText();
                if ("applied".equals(state) || FINAL_BAD.contains(state)) {
                    open.remove(o);
                    outcomes.set(outcomes.indexOf(o), new Outcome(o.change(), "change request " + state,
                            cr.path("appliedVersion").isNumber() ? cr.path("appliedVersion").asLong() : null, o.requestId(), o.requestUrl()));
                    if (!"applied".equals(state)) {
                        exit = ExitCodes.FINDINGS;
                    }
                }
            }
            if (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    err().println("flagledger: " + open.size() + " change request(s) not applied within " + timeout);
                    return ExitCodes.FINDINGS;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitCodes.ERROR, "interrupted");
                }
            }
        }
        return exit;
    }

    private void print(List<Outcome> outcomes, String correlation) {
        PrintWriter out = out();
        if (options.json()) {
            ObjectNode root = JsonNodeFactory.instance.objectNode().put("project", target.project).put("correlationId", correlation);
            ArrayNode list = root.putArray("results");
            for (Outcome o : outcomes) {
                ObjectNode n = list.addObject();
                n.put("flag", o.change().flag()).put("segment", o.change().segment()).put("environment", o.change().environment())
                        .put("kind", o.change().kind().name().toLowerCase().replace('_', '-')).put("result", o.result());
                if (o.version() != null) {
                    n.put("version", o.version());
                }
                if (o.requestId() != null) {
                    n.put("changeRequestId", o.requestId()).put("url", o.requestUrl());
                }
            }
            out.println(Yaml.pretty(root));
            return;
        }
        if (outcomes.isEmpty()) {
            out.println("Nothing to apply: live state matches the files.");
        }
        for (Outcome o : outcomes) {
            out.println(o.change().subject() + ": " + o.result() + (o.version() == null ? "" : ", version " + o.version())
                    + (o.requestUrl() == null ? "" : " " + o.requestUrl()));
        }
        out.println("Correlation id: " + correlation);
    }

    private static String quoted(long version) {
        return "\"" + version + "\"";
    }
}
