package io.flagledger.approval.requests;

import io.flagledger.contract.diff.ConfigDiff;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.approval.ApprovalClaims;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A change request for a flag-wide operation: archive, restore, or a metadata change (a lower risk weakens the
 * policy of every later change). Such a request's environment is {@link ApprovalClaims#ALL_ENVIRONMENTS}, its base
 * version the flag's metadata version and its proposal {@code {"operation": ..., "metadata": ...}}, exactly the
 * object the approval token's {@code change_sha256} covers ({@link ApprovalClaims#operationHashOf}).
 * <p>
 * The state it is compared with is the flag's {@link #STATE_FIELDS} as flag-api reports them.
 */
public final class FlagOperation {

    public static final Set<String> OPERATIONS = Set.of(ApprovalClaims.ARCHIVE, ApprovalClaims.RESTORE, ApprovalClaims.METADATA);
    /** Metadata an approval can cover: what flag-api's PATCH takes, except the expiry, which weakens nothing. */
    static final List<String> METADATA_FIELDS = List.of("name", "description", "owner", "tags", "risk", "clientVisible");
    static final List<String> STATE_FIELDS = List.of("archived", "name", "description", "owner", "tags", "risk", "clientVisible");

    private FlagOperation() {
    }

    /** The proposal of an operation request; 400 naming the field when the metadata is not something flag-api takes. */
    public static ObjectNode proposal(String operation, JsonNode metadata) {
        ObjectNode proposal = JsonNodeFactory.instance.objectNode();
        proposal.put("operation", operation);
        if (ApprovalClaims.METADATA.equals(operation)) {
            proposal.set("metadata", checkedMetadata(metadata));
        } else if (metadata != null && !metadata.isNull()) {
            throw ProblemException.badRequest("Field 'metadata' belongs to operation 'metadata', not '" + operation + "'");
        }
        return proposal;
    }

    private static ObjectNode checkedMetadata(JsonNode metadata) {
        if (metadata == null || !metadata.isObject() || metadata.isEmpty()) {
            throw ProblemException.badRequest("Field 'metadata' must be an object with at least one of " + METADATA_FIELDS);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String field : METADATA_FIELDS) {
            JsonNode value = metadata.get(field);
            if (value == null) {
                continue;
            }
            boolean ok = switch (field) {
                case "tags" -> value.isArray() && value.size() <= 20
                        && java.util.stream.StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isTextual);
                case "risk" -> value.isTextual() && Set.of("low", "high").contains(value.asText());
                case "clientVisible" -> value.isBoolean();
                default -> value.isTextual();
            };
            if (!ok) {
                throw ProblemException.badRequest("Field 'metadata." + field + "' is not a value flag-api takes"
                        + ("risk".equals(field) ? " (low or high)" : ""));
            }
            out.set(field, value);
        }
        metadata.fieldNames().forEachRemaining(field -> {
            if (!METADATA_FIELDS.contains(field)) {
                throw ProblemException.badRequest("Field 'metadata." + field + "' cannot be approved here; one of "
                        + METADATA_FIELDS + " (change an expiry directly: it weakens nothing)");
            }
        });
        return out;
    }

    /** The part of flag-api's flag view an operation request is based on. */
    public static ObjectNode state(JsonNode flagView) {
        ObjectNode state = JsonNodeFactory.instance.objectNode();
        for (String field : STATE_FIELDS) {
            JsonNode value = flagView.get(field);
            state.set(field, value == null ? JsonNodeFactory.instance.nullNode() : value);
        }
        return state;
    }

    /** What the operation would still change on a flag in {@code state}; empty: nothing (e.g. already applied). */
    public static List<ConfigDiff.Line> diff(JsonNode state, JsonNode proposal) {
        List<ConfigDiff.Line> lines = new ArrayList<>();
        String operation = proposal.path("operation").asText();
        if (!ApprovalClaims.METADATA.equals(operation)) {
            boolean archived = state.path("archived").asBoolean(false);
            boolean wanted = ApprovalClaims.ARCHIVE.equals(operation);
            if (archived != wanted) {
                lines.add(new ConfigDiff.Line("archived", Boolean.toString(archived), Boolean.toString(wanted)));
            }
            return lines;
        }
        proposal.path("metadata").fields().forEachRemaining(e -> {
            JsonNode now = state.path(e.getKey());
            if (!now.equals(e.getValue())) {
                lines.add(new ConfigDiff.Line(e.getKey(), now.isMissingNode() || now.isNull() ? null : text(now), text(e.getValue())));
            }
        });
        return lines;
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }
}
