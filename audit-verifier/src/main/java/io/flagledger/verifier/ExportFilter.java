package io.flagledger.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.AuditEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A filtered export's selection (the manifest's {@code selection.filter}, as audit-service's AuditFilter), re-applied
 * to each signed event. The ledger selects by query columns that the leaf hash does not cover, so an edited column
 * would slip a foreign entry into the export with a valid inclusion proof; re-deriving each field from the signed
 * event catches it. (An entry hidden by an edited column is not in the bundle at all: the service's self-check and
 * range exports find that one.) A field this verifier does not know fails the bundle rather than being ignored.
 */
final class ExportFilter {

    /** Manifest field, and how the signed event answers it (as the service's column or JSON path would). */
    private static final Map<String, Function<AuditEvent, String>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("project", AuditEvent::project);
        FIELDS.put("flag", AuditEvent::flagId);
        FIELDS.put("environment", AuditEvent::environment);
        FIELDS.put("actor", AuditEvent::actorId);
        FIELDS.put("actorType", e -> e.actorType() == null ? null : e.actorType().name().toLowerCase(Locale.ROOT));
        FIELDS.put("action", AuditEvent::action);
        FIELDS.put("correlationId", AuditEvent::correlationId);
        FIELDS.put("source", AuditEvent::sourceService);
        FIELDS.put("channel", e -> e.request() == null || e.request().channel() == null ? null
                : e.request().channel().name().toLowerCase(Locale.ROOT));
    }

    private final Map<String, String> equal;
    private final Instant from;
    private final Instant to;

    private ExportFilter(Map<String, String> equal, Instant from, Instant to) {
        this.equal = equal;
        this.from = from;
        this.to = to;
    }

    /** The filter of {@code node}; each field it cannot re-check is added to {@code problems}. */
    static ExportFilter of(JsonNode node, List<String> problems) {
        Map<String, String> equal = new LinkedHashMap<>();
        Instant from = null;
        Instant to = null;
        if (!node.isObject()) {
            problems.add("selection.filter is missing or not an object, so the selection cannot be re-checked");
            return new ExportFilter(equal, null, null);
        }
        for (var it = node.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull() || value.isTextual() && value.asText().isBlank()) {
                continue; // not a condition, as in the service
            }
            if (!value.isTextual()) {
                problems.add("selection.filter." + name + " is not a string");
            } else if (FIELDS.containsKey(name)) {
                equal.put(name, value.asText());
            } else if (name.equals("from") || name.equals("to")) {
                try {
                    Instant t = Instant.parse(value.asText());
                    if (name.equals("from")) {
                        from = t;
                    } else {
                        to = t;
                    }
                } catch (DateTimeParseException e) {
                    problems.add("selection.filter." + name + " is not an ISO-8601 instant: '" + value.asText() + "'");
                }
            } else {
                problems.add("selection.filter." + name + " is a field this verifier cannot re-check");
            }
        }
        return new ExportFilter(equal, from, to);
    }

    /** Why the signed event does not match the filter (one message per field), empty when it does. */
    List<String> mismatches(AuditEvent e) {
        List<String> out = new ArrayList<>();
        equal.forEach((name, expected) -> {
            String signed = FIELDS.get(name).apply(e);
            if (!expected.equals(signed)) {
                out.add("the export selected " + name + " = '" + expected + "', the signed event has "
                        + (signed == null ? "none" : "'" + signed + "'"));
            }
        });
        if (from != null && (e.timestamp() == null || e.timestamp().isBefore(from))) {
            out.add("the export selected events from " + from + ", the signed event is of " + e.timestamp());
        }
        if (to != null && (e.timestamp() == null || !e.timestamp().isBefore(to))) {
            out.add("the export selected events before " + to + ", the signed event is of " + e.timestamp());
        }
        return out;
    }
}
