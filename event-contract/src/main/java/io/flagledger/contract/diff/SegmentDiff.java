package io.flagledger.contract.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A readable diff of two segment definitions. {@code included}/{@code excluded} are sets of context keys, so they
 * are compared by member ({@code included[user-42]}), not by position: a reordered list is no change, and one
 * added member is one line however long the list. Rules are compared like flag rules, by id.
 */
public final class SegmentDiff {

    private static final List<String> SETS = List.of("included", "excluded");
    private static final String MARKER = "\u0000";

    private SegmentDiff() {
    }

    public static List<ConfigDiff.Line> between(JsonNode before, JsonNode after) {
        List<ConfigDiff.Line> lines = new ArrayList<>();
        for (String set : SETS) {
            Set<String> a = members(before, set);
            Set<String> b = members(after, set);
            Set<String> all = new TreeSet<>(a);
            all.addAll(b);
            for (String member : all) {
                if (a.contains(member) != b.contains(member)) {
                    String shown = "\"" + member + "\"";
                    lines.add(new ConfigDiff.Line(set + "[" + member + "]", a.contains(member) ? shown : null,
                            b.contains(member) ? shown : null));
                }
            }
        }
        lines.addAll(ConfigDiff.between(rest(before), rest(after)));
        return lines;
    }

    public static boolean same(JsonNode a, JsonNode b) {
        return between(a, b).isEmpty();
    }

    private static Set<String> members(JsonNode definition, String set) {
        Set<String> out = new TreeSet<>();
        if (definition != null) {
            for (JsonNode m : definition.path(set)) {
                out.add(m.isTextual() ? m.asText() : m.toString());
            }
        }
        return out;
    }

    /** Everything but the member sets, and without the key flag-api echoes inside a definition it returns. */
    private static JsonNode rest(JsonNode definition) {
        ObjectNode copy = definition != null && definition.isObject()
                ? definition.deepCopy() : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        copy.remove(SETS);
        copy.remove("key");
        // the same marker on both sides keeps the root from being "absent", so a new segment's rules are a
        // "rules" line rather than one line for the whole definition
        copy.put(MARKER, true);
        return copy;
    }
}
