package io.flagledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What text an event may carry, in one place, for the producers' edge checks, the contract validator and the
 * consumers alike.
 * <p>
 * The rule: no C0 control character except TAB, LF and CR (and those only in free text, never in single-line
 * values such as ids and headers), no DEL, no lone UTF-16 surrogate, and in JSON no non-finite number and no nesting
 * deeper than {@link #MAX_JSON_DEPTH}. Why: PostgreSQL {@code text} and {@code jsonb} refuse U+0000 (SQLSTATE 22P05),
 * a lone surrogate has no UTF-8 form (it would be replaced, so the signed and the stored bytes would differ), RFC 8785
 * has no spelling for a non-finite number, and control characters forge log lines and headers downstream.
 * <p>
 * Values a service records but did not choose (a request path, a user agent) go through {@link #escape(String)}:
 * lossless, reversible, and always acceptable.
 */
public final class SafeText {

    /** Deepest JSON nesting an event payload may have (arrays and objects), well above any flag configuration. */
    public static final int MAX_JSON_DEPTH = 32;

    private SafeText() {
    }

    /** Why {@code s} may not be carried as free text (TAB, LF and CR allowed), or {@code null} when it may. */
    public static String violation(String s) {
        return violation(s, true);
    }

    /** Why {@code s} may not be carried as a single-line value (no control character at all), or {@code null}. */
    public static String lineViolation(String s) {
        return violation(s, false);
    }

    private static String violation(String s, boolean multiline) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (multiline && (c == '\t' || c == '\n' || c == '\r')) {
                    continue;
                }
                return String.format("contains the control character U+%04X at index %d", (int) c, i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return String.format("contains a lone surrogate U+%04X at index %d", (int) c, i);
            }
            if (Character.isLowSurrogate(c)) {
                return String.format("contains a lone surrogate U+%04X at index %d", (int) c, i);
            }
        }
        return null;
    }

    /**
     * A lossless, always acceptable form of a value the service did not choose: {@code %} becomes {@code %25}, each
     * control character {@code %XX}, and a lone surrogate {@code %uXXXX}; everything else is unchanged (so ordinary
     * values read as they were sent).
     */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = null;
            if (c == '%') {
                replacement = "%25";
            } else if (c < 0x20 || c == 0x7f) {
                replacement = String.format("%%%02X", (int) c);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            } else if (Character.isSurrogate(c)) {
                replacement = String.format("%%u%04X", (int) c);
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : String.valueOf(c));
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * Adds to {@code out} one message per offending value in a JSON tree, each starting with its JSON path under
     * {@code field} (e.g. {@code new_state.rules[2].clauses[0].values[1]: contains the control character U+0000 ...}):
     * strings and member names as free text, non-finite numbers, nesting deeper than {@link #MAX_JSON_DEPTH}.
     * Stops after {@code limit} messages.
     */
    public static void jsonViolations(String field, JsonNode node, List<String> out, int limit) {
        if (!clean(node, 1)) {
            walk(field, node, 1, out, limit);
        }
    }

    /** Whether {@link #walk} would find nothing, without spelling a path per node (almost every tree is clean). */
    private static boolean clean(JsonNode node, int depth) {
        if (node == null) {
            return true;
        }
        if (node.isTextual()) {
            return violation(node.textValue()) == null;
        }
        if (node.isNumber()) {
            return !(node.isFloatingPointNumber() || node.isBigInteger()) || Double.isFinite(node.doubleValue());
        }
        if ((node.isArray() || node.isObject()) && depth > MAX_JSON_DEPTH) {
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!clean(element, depth + 1)) {
                    return false;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (violation(member.getKey()) != null || !clean(member.getValue(), depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void walk(String path, JsonNode node, int depth, List<String> out, int limit) {
        if (node == null || out.size() >= limit) {
            return;
        }
        if ((node.isArray() || node.isObject()) && depth > MAX_JSON_DEPTH) {
            out.add(path + ": nested deeper than " + MAX_JSON_DEPTH + " levels");
            return;
        }
        if (node.isTextual()) {
            String v = violation(node.textValue());
            if (v != null) {
                out.add(path + ": " + v);
            }
        } else if (node.isNumber()) {
            if ((node.isFloatingPointNumber() || node.isBigInteger()) && !Double.isFinite(node.doubleValue())) {
                out.add(path + ": must be a finite number");
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size() && out.size() < limit; i++) {
                walk(path + "[" + i + "]", node.get(i), depth + 1, out, limit);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext() && out.size() < limit; ) {
                Map.Entry<String, JsonNode> member = it.next();
                String v = violation(member.getKey());
                if (v != null) {
                    out.add(path + ": member name " + escape(member.getKey()) + " " + v);
                }
                walk(path + "." + escape(member.getKey()), member.getValue(), depth + 1, out, limit);
            }
        }
    }
}
