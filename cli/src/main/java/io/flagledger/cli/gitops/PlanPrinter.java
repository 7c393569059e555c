package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.contract.diff.RuleOrder;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** A plan for people (one block per flag and environment) or for machines (JSON). */
final class PlanPrinter {

    private PlanPrinter() {
    }

    static void text(PrintWriter out, List<Plan.Change> changes, Map<Plan.Change, Drift.LastChange> drift) {
        if (changes.isEmpty()) {
            out.println("No changes: live state matches the files.");
            return;
        }
        for (Plan.Change c : changes) {
            String marker = switch (c.kind()) {
                case CREATE_FLAG -> "+";
                case NOT_IN_GIT, UNSUPPORTED -> "!";
                default -> "~";
            };
            String how = switch (c.route()) {
                case DIRECT -> c.kind() == Plan.Kind.CREATE_FLAG ? "create" : "direct, If-Match " + c.baseVersion();
                case CHANGE_REQUEST -> "change request (protected), base version " + c.baseVersion();
                case NONE -> "not applied";
            };
            out.println(marker + " " + c.subject() + " — " + how + (c.note() == null ? "" : " — " + c.note()));
            for (ConfigDiff.Line l : c.lines()) {
                out.println("    " + l.path() + ": " + (l.before() == null ? "(none)" : l.before()) + " -> "
                        + (l.after() == null ? "(none)" : l.after()));
            }
            if (!c.rulesAfter().isEmpty()) {
                out.println("    evaluation order before:");
                steps(out, c.rulesBefore());
                out.println("    evaluation order after:");
                steps(out, c.rulesAfter());
            }
            Drift.LastChange last = drift.get(c);
            if (last != null) {
                out.println("    drift: " + last);
            }
        }
        long count = changes.stream().filter(c -> c.route() != Plan.Route.NONE).count();
        out.println(count + " change" + (count == 1 ? "" : "s") + " to apply.");
    }

    private static void steps(PrintWriter out, List<RuleOrder.Step> steps) {
        for (RuleOrder.Step s : steps) {
            out.println("      " + s.position() + ". " + (s.id() == null ? "" : s.id() + ": ") + s.when() + " -> " + s.serve());
        }
    }

    static ObjectNode json(List<Plan.Change> changes, Map<Plan.Change, Drift.LastChange> drift) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = root.putArray("changes");
        for (Plan.Change c : changes) {
            ObjectNode n = list.addObject();
            n.put("kind", c.kind().name().toLowerCase().replace('_', '-'));
            n.put("flag", c.flag());
            n.put("segment", c.segment());
            n.put("environment", c.environment());
            n.put("route", c.route().name().toLowerCase().replace('_', '-'));
            n.put("baseVersion", c.baseVersion());
            n.put("note", c.note());
            ArrayNode lines = n.putArray("lines");
            for (ConfigDiff.Line l : c.lines()) {
                lines.addObject().put("path", l.path()).put("before", l.before()).put("after", l.after());
            }
            ArrayNode order = n.putArray("rulesAfter");
            c.rulesAfter().forEach(s -> order.addObject().put("position", s.position()).put("id", s.id())
                    .put("when", s.when()).put("serve", s.serve()));
            Drift.LastChange last = drift.get(c);
            if (last != null) {
                n.putObject("lastChange").put("actor", last.actor()).put("actorId", last.actorId()).put("at", last.at())
                        .put("action", last.action()).put("correlationId", last.correlationId());
            }
        }
        return root;
    }
}
