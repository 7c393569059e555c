package io.flagledger.contract.canonical;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes a Jackson tree in RFC 8785 canonical form, straight to UTF-8 bytes (no intermediate String). Internal helper
 * behind {@link io.flagledger.contract.CanonicalJson}; use that class instead.
 */
public final class JcsSerializer {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

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

    /** The canonical form as a String. @throws IllegalArgumentException as {@link #serializeBytes} */
    public static String serialize(JsonNode node) {
        return new String(serializeBytes(node), StandardCharsets.UTF_8);
    }

    /** The canonical UTF-8 bytes. @throws IllegalArgumentException if the tree holds something JSON/I-JSON cannot represent */
    public static byte[] serializeBytes(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("cannot canonicalize a null JsonNode");
        }
        Out out = new Out(512);
        write(node, out, Where.ROOT);
        return out.toArray();
    }

    /** An object's canonical bytes, whole and without one of its members ({@link Writer#cut}). */
    public record Forms(byte[] whole, byte[] without) {
    }

    /**
     * Writes a record's canonical form member by member, for a caller that knows its members and writes them in
     * canonical order (it refuses any other order, so a mistake fails rather than signs other bytes). Values are
     * strings, numbers and trees; {@link #beginObject}/{@link #beginArray} nest.
     */
    public static final class Writer {
        private final Out out = new Out(1024);
        private String[] last = new String[8]; // per open object: the last member name written, null before the first
        private boolean[] empty = new boolean[8];
        private int depth = -1;
        private boolean afterName;

        public Writer beginObject() {
            open('{');
            return this;
        }

        public Writer endObject() {
            depth--;
            out.put('}');
            return this;
        }

        public Writer beginArray() {
            open('[');
            return this;
        }

        public Writer endArray() {
            depth--;
            out.put(']');
            return this;
        }

        /** The next member's name; names of one object must come in canonical (UTF-16) order. */
        public Writer name(String key) {
            String previous = last[depth];
            if (previous != null && previous.compareTo(key) >= 0) {
                throw new IllegalStateException("member " + key + " after " + previous + ": not canonical order");
            }
            last[depth] = key;
            separate();
            writeString(key, out, this);
            out.put(':');
            afterName = true;
            return this;
        }

        public Writer string(String value) {
            separate();
            writeString(value, out, this);
            return this;
        }

        public Writer number(double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("non-finite number at " + this
                        + ": RFC 8785 only allows finite IEEE-754 doubles");
            }
            separate();
            out.ascii(EcmaNumbers.format(value));
            return this;
        }

        /** A tree, canonicalized as {@link #serializeBytes(JsonNode)} does. */
        public Writer tree(JsonNode node) {
            separate();
            Where path = Where.ROOT;
            for (int i = 0; i <= depth; i++) {
                path = last[i] == null ? path : new Where(path, last[i], -1);
            }
            write(node, out, path);
            return this;
        }

        /** Bytes written so far. */
        public int size() {
            return out.size;
        }

        public byte[] toArray() {
            return out.toArray();
        }

        /** The bytes written, whole and without those from {@code from} to {@code to} (a member and one comma). */
        public Forms cut(int from, int to) {
            byte[] whole = out.toArray();
            byte[] without = new byte[whole.length - (to - from)];
            System.arraycopy(whole, 0, without, 0, from);
            System.arraycopy(whole, to, without, from, whole.length - to);
            return new Forms(whole, without);
        }

        private void open(char bracket) {
            separate();
            if (++depth == last.length) {
                last = Arrays.copyOf(last, depth * 2);
                empty = Arrays.copyOf(empty, depth * 2);
            }
            last[depth] = null;
            empty[depth] = true;
            out.put(bracket);
        }

        /** A comma before an array element or a member (a member's value follows its name without one). */
        private void separate() {
            if (afterName) {
                afterName = false;
            } else if (depth >= 0 && !empty[depth]) {
                out.put(',');
            }
            if (depth >= 0) {
                empty[depth] = false;
            }
        }

        /** Where the writer is, for an error message: the open objects' current members. */
        @Override
        public String toString() {
            StringBuilder path = new StringBuilder("$");
            for (int i = 0; i <= depth; i++) {
                if (last[i] != null) {
                    path.append('.').append(last[i]);
                }
            }
            return path.toString();
        }
    }

    private static void write(JsonNode node, Out out, Where path) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, path);
            case ARRAY -> {
                out.put('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.put(',');
                    }
                    write(node.get(i), out, new Where(path, null, i));
                }
                out.put(']');
            }
            case STRING -> writeString(node.textValue(), out, path);
            case NUMBER -> writeNumber(node, out, path);
            case BOOLEAN -> out.ascii(node.booleanValue() ? "true" : "false");
            case NULL -> out.ascii("null");
            default -> throw new IllegalArgumentException(
                    "unsupported JSON node type " + node.getNodeType() + " at " + path);
        }
    }

    /** Writes an object, its members in canonical order. */
    @SuppressWarnings("unchecked")
    private static void writeObject(JsonNode node, Out out, Where path) {
        Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
        // String.compareTo orders by UTF-16 code units, exactly what RFC 8785 §3.2.3 specifies.
        Arrays.sort(members, Map.Entry.comparingByKey());
        out.put('{');
        for (int i = 0; i < members.length; i++) {
            if (i > 0) {
                out.put(',');
            }
            String key = members[i].getKey();
            writeString(key, out, path);
            out.put(':');
            write(members[i].getValue(), out, new Where(path, key, -1));
        }
        out.put('}');
    }

    private static void writeNumber(JsonNode node, Out out, Where path) {
        // JCS works on IEEE-754 doubles: integers beyond 2^53 are rounded exactly as JavaScript would.
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("non-finite number (" + node.asText() + ") at " + path
                    + ": RFC 8785 only allows finite IEEE-754 doubles");
        }
        out.ascii(EcmaNumbers.format(value));
    }

    /** RFC 8785 §3.2.2.2: only '"', '\\' and C0 controls are escaped (the short forms where JSON has them). */
    private static void writeString(String s, Out out, Object path) {
        int n = s.length();
        out.ensure(n + 2);
        byte[] b = out.buf;
        int at = out.size;
        b[at++] = '"';
        int i = 0;
        // The common case, printable ASCII, in a tight loop; the rest char by char below.
        for (char c; i < n && (c = s.charAt(i)) >= 0x20 && c < 0x80 && c != '"' && c != '\\'; i++) {
            b[at++] = (byte) c;
        }
        out.size = at;
        for (; i < n; i++) {
            char c = s.charAt(i);
            out.ensure(6);
            b = out.buf;
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[out.size++] = (byte) c;
                continue;
            }
            switch (c) {
                case '"' -> out.escape('"');
                case '\\' -> out.escape('\\');
                case '\b' -> out.escape('b');
                case '\f' -> out.escape('f');
                case '\n' -> out.escape('n');
                case '\r' -> out.escape('r');
                case '\t' -> out.escape('t');
                default -> {
                    if (c < 0x20) {
                        b[out.size++] = '\\';
                        b[out.size++] = 'u';
                        b[out.size++] = '0';
                        b[out.size++] = '0';
                        b[out.size++] = HEX[c >> 4];
                        b[out.size++] = HEX[c & 0xF];
                    } else if (c < 0x800) {
                        b[out.size++] = (byte) (0xC0 | (c >> 6));
                        b[out.size++] = (byte) (0x80 | (c & 0x3F));
                    } else if (!Character.isSurrogate(c)) {
                        b[out.size++] = (byte) (0xE0 | (c >> 12));
                        b[out.size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                        b[out.size++] = (byte) (0x80 | (c & 0x3F));
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        b[out.size++] = (byte) (0xF0 | (cp >> 18));
                        b[out.size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        b[out.size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        b[out.size++] = (byte) (0x80 | (cp & 0x3F));
                    } else {
                        // Lone surrogates have no UTF-8 form; I-JSON (required by RFC 8785) forbids them.
                        throw new IllegalArgumentException(String.format(
                                "lone surrogate U+%04X in string at %s: not valid I-JSON", (int) c, path));
                    }
                }
            }
        }
        out.put('"');
    }

    /** A growable byte buffer without the synchronization of ByteArrayOutputStream. */
    private static final class Out {
        byte[] buf;
        int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void put(char c) {
            ensure(1);
            buf[size++] = (byte) c;
        }

        void escape(char c) {
            buf[size++] = '\\';
            buf[size++] = (byte) c;
        }

        /** Text known to be ASCII (literals, numbers). */
        void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[size++] = (byte) s.charAt(i);
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
