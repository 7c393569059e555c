package io.flagledger.contract.canonical;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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
        write(node, out, Where.ROOT, null, null);
        return out.toArray();
    }

    /** An object's canonical bytes, whole and without one of its top-level members (the same bytes if it lacks it). */
    public record Forms(byte[] whole, byte[] without) {
    }

    /**
     * Both forms from one serialization. Removing a member from a canonical object leaves the others in canonical
     * order, so the second form is the first with that member (and one separating comma) cut out.
     */
    public static Forms serializeWithout(ObjectNode node, String member) {
        if (node == null) {
            throw new IllegalArgumentException("cannot canonicalize a null JsonNode");
        }
        Out out = new Out(512);
        int[] span = {-1, -1};
        writeObject(node, out, Where.ROOT, member, span);
        return cut(out.toArray(), span[0] < 0 ? null : span);
    }

    /** The whole form and the form without the bytes {@code span} covers (a copy if null). */
    private static Forms cut(byte[] whole, int[] span) {
        if (span == null) {
            return new Forms(whole, whole.clone());
        }
        byte[] without = new byte[whole.length - (span[1] - span[0])];
        System.arraycopy(whole, 0, without, 0, span[0]);
        System.arraycopy(whole, span[1], without, span[0], whole.length - span[1]);
        return new Forms(whole, without);
    }

    /**
     * {@link #serializeWithout} of the object a token stream holds, without building a tree: each object's members
     * are written as they come and put in canonical order when the object ends (a no-op when they came in order).
     *
     * @throws IllegalArgumentException for what the tree form refuses (non-finite numbers, lone surrogates, values
     *                                  that are not JSON) and for a repeated member name; the message does not name
     *                                  where, so a caller wanting that serializes the tree instead
     */
    public static Forms serializeWithout(JsonParser tokens, String member) throws IOException {
        Out out = new Out(512);
        Frame root = writeObject(tokens, out);
        return cut(out.toArray(), root.span(member));
    }

    /** {@link #serializeBytes} of the object a token stream holds; throws as {@link #serializeWithout(JsonParser, String)}. */
    public static byte[] serializeBytes(JsonParser tokens) throws IOException {
        Out out = new Out(512);
        writeObject(tokens, out);
        return out.toArray();
    }

    /** Writes the stream's one object, returning its (top-level) frame. */
    private static Frame writeObject(JsonParser tokens, Out out) throws IOException {
        if (tokens.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("not an object");
        }
        Frame root = null;
        ArrayDeque<Frame> open = new ArrayDeque<>();
        open.push(new Frame(out.size + 1, false));
        out.put('{');
        JsonToken t;
        while (!open.isEmpty() && (t = tokens.nextToken()) != null) {
            Frame f = open.peek();
            switch (t) {
                case FIELD_NAME -> {
                    if (f.count++ > 0) {
                        out.put(',');
                    }
                    String key = tokens.currentName();
                    f.begin(key, out.size);
                    writeString(key, out, Where.ROOT);
                    out.put(':');
                    continue;
                }
                case START_OBJECT -> {
                    f.beforeValue(out);
                    open.push(new Frame(out.size + 1, false));
                    out.put('{');
                    continue;
                }
                case START_ARRAY -> {
                    f.beforeValue(out);
                    open.push(new Frame(out.size + 1, true));
                    out.put('[');
                    continue;
                }
                case END_OBJECT -> {
                    open.pop();
                    f.sort(out);
                    out.put('}');
                    if (open.isEmpty()) {
                        root = f;
                    } else {
                        open.peek().end(out.size);
                    }
                    continue;
                }
                case END_ARRAY -> {
                    open.pop();
                    out.put(']');
                    open.peek().end(out.size);
                    continue;
                }
                default -> {
                }
            }
            f.beforeValue(out);
            switch (t) {
                case VALUE_STRING -> writeString(tokens.getText(), out, Where.ROOT);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    double value = tokens.getDoubleValue();
                    if (!Double.isFinite(value)) {
                        throw new IllegalArgumentException("non-finite number: RFC 8785 only allows finite IEEE-754 doubles");
                    }
                    out.ascii(EcmaNumbers.format(value));
                }
                case VALUE_TRUE -> out.ascii("true");
                case VALUE_FALSE -> out.ascii("false");
                case VALUE_NULL -> out.ascii("null");
                default -> throw new IllegalArgumentException("unsupported JSON token " + t);
            }
            f.end(out.size);
        }
        if (root == null || tokens.nextToken() != null) {
            throw new IllegalArgumentException("not exactly one JSON object");
        }
        return root;
    }

    /** An open object (or array) of a token stream: where each member's bytes are, to order them when it ends. */
    private static final class Frame {
        final int start;
        final boolean array;
        int count;
        String[] keys; // allocated by the first member: arrays have none
        int[] from;
        int[] to;
        boolean ordered = true;

        Frame(int start, boolean array) {
            this.start = start;
            this.array = array;
        }

        void begin(String key, int at) {
            int i = count - 1;
            if (keys == null) {
                keys = new String[8];
                from = new int[8];
                to = new int[8];
            } else if (i == keys.length) {
                keys = Arrays.copyOf(keys, i * 2);
                from = Arrays.copyOf(from, i * 2);
                to = Arrays.copyOf(to, i * 2);
            }
            if (i > 0 && keys[i - 1].compareTo(key) >= 0) {
                ordered = false;
            }
            keys[i] = key;
            from[i] = at;
        }

        /** An array element's separator; a member's value follows its name. */
        void beforeValue(Out out) {
            if (array && count++ > 0) {
                out.put(',');
            }
        }

        void end(int at) {
            if (!array) {
                to[count - 1] = at;
            }
        }

        /** Rewrites the members in canonical order (String order is UTF-16 order, RFC 8785 §3.2.3). */
        void sort(Out out) {
            if (ordered) {
                return;
            }
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
            byte[] old = Arrays.copyOfRange(out.buf, start, out.size);
            int at = start;
            String[] k = new String[count];
            int[] f = new int[count];
            int[] t = new int[count];
            for (int i = 0; i < count; i++) {
                int m = order[i];
                if (i > 0 && keys[order[i - 1]].equals(keys[m])) {
                    throw new IllegalArgumentException("repeated member name");
                }
                if (i > 0) {
                    out.buf[at++] = ',';
                }
                int length = to[m] - from[m];
                System.arraycopy(old, from[m] - start, out.buf, at, length);
                k[i] = keys[m];
                f[i] = at;
                t[i] = at + length;
                at += length;
            }
            keys = k;
            from = f;
            to = t;
        }

        /** The bytes to cut for member {@code name} with one separating comma, or null if there is none. */
        int[] span(String name) {
            for (int i = 0; i < count; i++) {
                if (keys[i].equals(name)) {
                    if (i > 0) {
                        return new int[] {from[i] - 1, to[i]};
                    }
                    return new int[] {from[i], count > 1 ? to[i] + 1 : to[i]};
                }
            }
            return null;
        }
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
                throw new IllegalArgumentException("non-finite number at " + this + ": RFC 8785 only allows finite IEEE-754 doubles");
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
            write(node, out, path, null, null);
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
            return JcsSerializer.cut(out.toArray(), new int[] {from, to});
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

    private static void write(JsonNode node, Out out, Where path, String omit, int[] span) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, path, omit, span);
            case ARRAY -> {
                out.put('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.put(',');
                    }
                    write(node.get(i), out, new Where(path, null, i), null, null);
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

    /** Writes an object; if {@code omit} names one of its members, {@code span} receives the bytes to cut for it. */
    @SuppressWarnings("unchecked")
    private static void writeObject(JsonNode node, Out out, Where path, String omit, int[] span) {
        Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
        // String.compareTo orders by UTF-16 code units, exactly what RFC 8785 §3.2.3 specifies.
        Arrays.sort(members, Map.Entry.comparingByKey());
        out.put('{');
        for (int i = 0; i < members.length; i++) {
            int start = out.size;
            if (i > 0) {
                out.put(',');
            }
            String key = members[i].getKey();
            writeString(key, out, path);
            out.put(':');
            write(members[i].getValue(), out, new Where(path, key, -1), null, null);
            if (omit != null && omit.equals(key)) {
                // A first member takes the comma after it along; any other the comma before it.
                span[0] = start;
                span[1] = i == 0 && members.length > 1 ? out.size + 1 : out.size;
            }
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
