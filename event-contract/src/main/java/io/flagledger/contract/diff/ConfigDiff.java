package io.flagledger.contract.diff;

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
import java.util.Objects;
import java.util.Set;

/**
 * The one diff of two environment configs, used by flag-api (the audit event's {@link #scope}), approval-service (what
 * approvers see) and the CLI ({@code plan}). {@link #between} is the readable diff: one line per changed value, with paths that name
 * rules, targets and rollout variations by their id rather than by position ({@code rules[dutch].serve}).
 * Order is meaning (rules are first-match, rollout variations are bucketed in order), so a list whose elements
 * changed place also gets a {@code <path> (order)} line listing the ids before and after, whatever else changed.
 */
public final class ConfigDiff {

    /** One changed value; {@code before}/{@code after} are compact JSON, null when absent. */
    public record Line(String path, String before, String after) {
    }

    private static final List<String> IDENTITY_FIELDS = List.of("id", "variation", "attribute");

    private ConfigDiff() {
    }

    /**
     * The audit event's {@code scope}: which parts of an environment configuration a change touched, and the
     * rollouts before and after where the fallthrough moved — what a reviewer or an anomaly rule looks at first.
     */
    public static ObjectNode scope(JsonNode before, JsonNode after) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        ArrayNode changed = scope.putArray("changed");
        for (String field : List.of("enabled", "offVariation", "targets")) {
            if (!Objects.equals(normalize(before.get(field)), normalize(after.get(field)))) {
                changed.add(field);
            }
        }
        if (!Objects.equals(normalize(before.get("fallthrough")), normalize(after.get("fallthrough")))) {
            changed.add("fallthrough");
            ObjectNode rollout = scope.putObject("fallthrough");
            rollout.set("before", before.path("fallthrough").deepCopy());
            rollout.set("after", after.path("fallthrough").deepCopy());
        }
        Map<String, JsonNode> old = rulesById(before);
        Map<String, JsonNode> now = rulesById(after);
        ArrayNode added = JsonNodeFactory.instance.arrayNode();
        ArrayNode removed = JsonNodeFactory.instance.arrayNode();
        ArrayNode modified = JsonNodeFactory.instance.arrayNode();
        now.keySet().stream().filter(id -> !old.containsKey(id)).sorted().forEach(added::add);
        old.keySet().stream().filter(id -> !now.containsKey(id)).sorted().forEach(removed::add);
        now.keySet().stream().filter(id -> old.containsKey(id) && !old.get(id).equals(now.get(id))).sorted().forEach(modified::add);
        boolean reordered = added.isEmpty() && removed.isEmpty() && !List.copyOf(old.keySet()).equals(List.copyOf(now.keySet()));
        if (!added.isEmpty() || !removed.isEmpty() || !modified.isEmpty() || reordered) {
            changed.add("rules");
            ObjectNode rules = scope.putObject("rules");
            rules.set("added", added);
            rules.set("removed", removed);
            rules.set("modified", modified);
            rules.put("reordered", reordered);
        }
        return scope;
    }

    private static Map<String, JsonNode> rulesById(JsonNode config) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode rule : config.path("rules")) {
            out.putIfAbsent(rule.path("id").asText(), normalize(rule));
        }
        return out;
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
            String field = identityField(a, b);
            Map<String, JsonNode> left = keyed(a, field);
            Map<String, JsonNode> right = keyed(b, field);
            Set<String> keys = new LinkedHashSet<>(left.keySet());
            keys.addAll(right.keySet());
            for (String key : keys) {
                walk(path + "[" + key + "]", left.get(key), right.get(key), out);
            }
            // by position, a move already shows as changed elements; by id it would not show at all
            if (field != null && reordered(List.copyOf(left.keySet()), List.copyOf(right.keySet()))) {
                out.add(new Line(path + " (order)", ids(left.keySet()), ids(right.keySet())));
            }
        } else if (a == null || b == null || !a.equals(b)) {
            out.add(new Line(path, a == null ? null : a.toString(), b == null ? null : b.toString()));
        }
    }

    /**
     * Whether the evaluation order changed: elements on both sides are in another relative order, or an added
     * element was placed before one that was there already (appending is not a move: nothing else changes place).
     */
    public static boolean reordered(List<String> before, List<String> after) {
        List<String> keptBefore = before.stream().filter(after::contains).toList();
        List<String> keptAfter = after.stream().filter(before::contains).toList();
        if (!keptBefore.equals(keptAfter)) {
            return true;
        }
        int lastKept = keptAfter.isEmpty() ? -1 : after.indexOf(keptAfter.get(keptAfter.size() - 1));
        for (int i = 0; i < lastKept; i++) {
            if (!before.contains(after.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static String ids(Set<String> keys) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        keys.forEach(list::add);
        return list.toString();
    }

    /** The identity field both arrays key their elements by (each element has a distinct one), or null: by position. */
    private static String identityField(JsonNode a, JsonNode b) {
        for (String field : IDENTITY_FIELDS) {
            if (hasIdentity(a, field) && hasIdentity(b, field)) {
                return field;
            }
        }
        return null;
    }

    private static boolean hasIdentity(JsonNode array, String field) {
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode element : array) {
            JsonNode id = element.get(field);
            if (id == null || !id.isValueNode() || !seen.add(id.asText())) {
                return false;
            }
        }
        return array.size() > 0;
    }

    /** Array elements by {@code field}, or by position when it is null. */
    private static Map<String, JsonNode> keyed(JsonNode array, String field) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            out.put(field == null ? Integer.toString(i) : array.get(i).get(field).asText(), array.get(i));
        }
        return out;
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
