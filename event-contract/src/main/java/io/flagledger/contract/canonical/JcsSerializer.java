package io.flagledger.contract.canonical;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a Jackson tree in RFC 8785 canonical form. Internal helper behind
 * {@link io.flagledger.contract.CanonicalJson}; use that class instead.
 */
public final class JcsSerializer {

    private JcsSerializer() {
    }

    /** Where a value sits ($.a[2].b), spelled out only for an error message: most trees have none to report. */
    private record Where(Where parent, String member, int index) {
        static final Where ROOT = new Where(null, null, -1);

        @Override
        public String toString() {
            if (parent == null) {
                return "$";
            }
            return parent + (member != null ? "." + member : "[" + index + "]");
        }
    }

    /** @throws IllegalArgumentException if the tree holds something JSON/I-JSON cannot represent */
    public static String serialize(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("cannot canonicalize a null JsonNode");
        }
        StringBuilder out = new StringBuilder(256);
        write(node, out, Where.ROOT);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out, Where path) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, path);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, new Where(path, null, i));
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out, path);
            case NUMBER -> writeNumber(node, out, path);
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException(
                    "unsupported JSON node type " + node.getNodeType() + " at " + path);
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, Where path) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        // String.compareTo orders by UTF-16 code units, exactly what RFC 8785 §3.2.3 specifies.
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(member.getKey(), out, path);
            out.append(':');
            write(member.getValue(), out, new Where(path, member.getKey(), -1));
        }
        out.append('}');
    }

    private static void writeNumber(JsonNode node, StringBuilder out, Where path) {
        // JCS works on IEEE-754 doubles: integers beyond 2^53 are rounded exactly as JavaScript would.
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("non-finite number (" + node.asText() + ") at " + path
                    + ": RFC 8785 only allows finite IEEE-754 doubles");
        }
        out.append(EcmaNumbers.format(value));
    }

    private static void writeString(String s, StringBuilder out, Where path) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else if (Character.isSurrogate(c)) {
                        // Lone surrogates have no UTF-8 form; I-JSON (required by RFC 8785) forbids them.
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            throw new IllegalArgumentException(String.format(
                                    "lone surrogate U+%04X in string at %s: not valid I-JSON", (int) c, path));
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
