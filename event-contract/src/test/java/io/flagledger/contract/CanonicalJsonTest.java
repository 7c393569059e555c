package io.flagledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalJsonTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** RFC 8785 §3.2.2/§3.2.3 examples plus cyberphone/json-canonicalization test vectors (data only). */
    @ParameterizedTest
    @ValueSource(strings = {"rfc-example", "rfc-sorting", "weird", "structures", "arrays", "french", "unicode"})
    void knownAnswers(String name) {
        byte[] expected = resource("/jcs/output/" + name + ".json");
        String input = new String(resource("/jcs/input/" + name + ".json"), StandardCharsets.UTF_8);
        assertEquals(new String(expected, StandardCharsets.UTF_8),
                new String(CanonicalJson.canonicalize(input), StandardCharsets.UTF_8));
        assertArrayEquals(expected, CanonicalJson.canonicalize(input));
    }

    @Test
    void canonicalizationIsIdempotent() {
        String once = new String(CanonicalJson.canonicalize(
                new String(resource("/jcs/input/rfc-example.json"), StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        assertEquals(once, new String(CanonicalJson.canonicalize(once), StandardCharsets.UTF_8));
    }

    @Test
    void stringEscapingFollowsEcmaScript() {
        ObjectNode n = F.objectNode().put("s", "\u0000\u001f\u007f\b\f\n\r\t\"\\/\u2028\u2029\uD83D\uDE00é");
        assertEquals("{\"s\":\"\\u0000\\u001f\u007f\\b\\f\\n\\r\\t\\\"\\\\/\u2028\u2029\uD83D\uDE00é\"}",
                CanonicalJson.canonicalString(n));
    }

    @Test
    void nodeTreeIndependentOfInsertionOrder() {
        ObjectNode a = F.objectNode().put("b", 1).put("a", 2);
        a.putObject("c").put("y", true).put("x", false);
        ObjectNode b = F.objectNode();
        b.putObject("c").put("x", false).put("y", true);
        b.put("a", 2).put("b", 1);
        assertArrayEquals(CanonicalJson.canonicalize(a), CanonicalJson.canonicalize(b));
        assertEquals("{\"a\":2,\"b\":1,\"c\":{\"x\":false,\"y\":true}}", CanonicalJson.canonicalString(a));
    }

    @Test
    void numbersUseDoubleSemantics() {
        // Integers beyond 2^53 round like JavaScript numbers do; -0 becomes 0.
        assertEquals("[9007199254740992,1e+21,0,0,1.5,100]",
                str("[9007199254740993, 1000000000000000000000, -0, -0.0, 1.50, 1E2]"));
        assertEquals("[18446744073709552000]", CanonicalJson.canonicalString(
                F.arrayNode().add(new BigInteger("18446744073709551615"))));
    }

    @Test
    void rejectsNonFiniteNumbers() {
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalString(F.numberNode(Double.NaN)));
        assertThrows(IllegalArgumentException.class,
                () -> CanonicalJson.canonicalString(F.arrayNode().add(Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> str("[NaN]"));
        assertThrows(IllegalArgumentException.class, () -> str("[Infinity]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> str("{\"big\":1e400}"));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("$.big"), e.getMessage());
    }

    @Test
    void rejectsDuplicateKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> str("{\"a\":1,\"b\":2,\"a\":3}"));
        assertTrue(e.getMessage().contains("Duplicate field 'a'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> str("{\"x\":{\"a\":1,\"a\":1}}"));
    }

    @Test
    void rejectsMalformedJsonWithClearMessage() {
        for (String bad : new String[]{"", "   ", "{", "{\"a\":}", "[1,]", "{\"a\":1} trailing", "{'a':1}", "[01]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> str(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize((String) null));
    }

    @Test
    void rejectsLoneSurrogates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> str("[\"\\ud800x\"]"));
        assertTrue(e.getMessage().contains("U+D800"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> str("{\"\\udc00\":1}"));
    }

    /** Strings go straight to UTF-8: the bytes are those of the RFC 8785 text encoded by the JDK. */
    @Test
    void bytesAreTheJdksUtf8OfTheCanonicalText() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8259);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int c = random.nextInt(12); c > 0; c--) {
                int cp = switch (random.nextInt(5)) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> random.nextInt(0x80, 0x800);
                    case 2 -> random.nextInt(0x800, 0xD800);
                    case 3 -> random.nextInt(0xE000, 0x10000);
                    default -> random.nextInt(0x10000, 0x110000);
                };
                text.appendCodePoint(cp);
            }
            String s = text.toString();
            String expected = "{\"" + escaped(s) + "\":[\"" + escaped(s) + "\"]}";
            assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8),
                    CanonicalJson.canonicalize(F.objectNode().set(s, F.arrayNode().add(s))), expected);
        }
    }

    /** RFC 8785 §3.2.2.2 spelled out the slow way, as a reference. */
    private static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.toString();
    }

    @Test
    void scalarsAtTopLevel() {
        assertEquals("\"x\"", str("\"x\""));
        assertEquals("null", str("null"));
        assertEquals("1e-7", str("0.0000001"));
        JsonNode tree = F.arrayNode().add(F.textNode("a")).add(F.booleanNode(true)).addNull();
        assertEquals("[\"a\",true,null]", CanonicalJson.canonicalString(tree));
    }

    private static String str(String json) {
        return new String(CanonicalJson.canonicalize(json), StandardCharsets.UTF_8);
    }

    static byte[] resource(String path) {
        try (InputStream in = CanonicalJsonTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
