package io.flagledger.approval.requests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A readable diff of two environment configs for approvers: one line per changed value, with paths that name
 * rules, targets and rollout variations by their id rather than by position ({@code rules[dutch].serve}).
 */
public final class ConfigDiff {

    /** One changed value; {@code before}/{@code after} are compact JSON, null when absent. */
    public record Line(String path, String before, String after) {
    }

    private static final List<String> IDENTITY_FIELDS = List.of("id", "variation", "attribute");

    private ConfigDiff() {
    }

    public static List<Line> between(JsonNode before, JsonNode after) {
        List<Line> lines = new ArrayList<>();
        walk("", normalize(before), normalize(after), lines);
        return lines;
    }

    /** Equal for flag-api's purposes: absent, null and empty arrays or objects mean the same. */
    public static boolean same(JsonNode a, JsonNode b) {
        return between(a, b).isEmpty();
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Line> out) {
        if (a == null && b == null) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                walk(path.isEmpty() ? name : path + "." + name, a.get(name), b.get(name), out);
            }
        } else if (a != null && b != null && a.isArray() && b.isArray()) {
            Map<String, JsonNode> left = keyed(a);
            Map<String, JsonNode> right = keyed(b);
            Set<String> keys = new LinkedHashSet<>(left.keySet());
            keys.addAll(right.keySet());
            for (String key : keys) {
                walk(path + "[" + key + "]", left.get(key), right.get(key), out);
            }
            if (out.stream().noneMatch(l -> l.path().startsWith(path + "[")) && !a.equals(b)) {
                out.add(new Line(path + " (order)", a.toString(), b.toString()));
            }
        } else if (a == null || b == null || !a.equals(b)) {
            out.add(new Line(path, a == null ? null : a.toString(), b == null ? null : b.toString()));
        }
    }

    /** Array elements by their identity field when every element has one, else by position. */
    private static Map<String, JsonNode> keyed(JsonNode array) {
        for (String field : IDENTITY_FIELDS) {
            Map<String, JsonNode> byField = new LinkedHashMap<>();
            boolean all = array.size() > 0;
            for (JsonNode element : array) {
                JsonNode id = element.get(field);
                if (id == null || !id.isValueNode() || byField.containsKey(id.asText())) {
                    all = false;
                    break;
                }
                byField.put(id.asText(), element);
            }
            if (all) {
                return byField;
            }
        }
        Map<String, JsonNode> byIndex = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            byIndex.put(Integer.toString(i), array.get(i));
        }
        return byIndex;
    }

    /** Drops nulls, empty containers and {@code negate: false} so that omitted defaults do not show up as changes. */
    private static JsonNode normalize(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode copy = node.deepCopy();
            Iterator<Map.Entry<String, JsonNode>> fields = copy.fields();
            List<String> drop = new ArrayList<>();
            Map<String, JsonNode> replace = new LinkedHashMap<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                JsonNode n = normalize(e.getValue());
                // flag-api echoes every clause's "negate": false; a proposal that omits it means the same
                if (n == null || ("negate".equals(e.getKey()) && n.isBoolean() && !n.booleanValue())) {
                    drop.add(e.getKey());
                } else {
                    replace.put(e.getKey(), n);
                }
            }
            copy.remove(drop);
            replace.forEach(copy::set);
            return copy.isEmpty() ? null : copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> {
                JsonNode n = normalize(element);
                copy.add(n == null ? NullNode.getInstance() : n);
            });
            return copy.isEmpty() ? null : copy;
        }
        return node;
    }
}
