package io.flagledger.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u0001", "x\u001b[31m", "del\u007f", "lone \ud800 high", "lone \udc00 low", "end\ud83d"})
    void refusedEverywhere(String s) {
        assertNotNull(SafeText.violation(s));
        assertNotNull(SafeText.lineViolation(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tab\there", "two\nlines", "crlf\r\n"})
    void whitespaceControlsOnlyInFreeText(String s) {
        assertNull(SafeText.violation(s));
        assertNotNull(SafeText.lineViolation(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "ünïcødé", "emoji \ud83d\ude00 pair", "100%"})
    void ordinaryTextPasses(String s) {
        assertNull(SafeText.violation(s));
        assertNull(SafeText.lineViolation(s));
    }

    @Test
    void escapeIsLosslessAndAlwaysAcceptable() {
        assertEquals("/api/v1/projects/%00/flags", SafeText.escape("/api/v1/projects/\u0000/flags"));
        assertEquals("100%25 %0D%0A %uD800 \ud83d\ude00", SafeText.escape("100% \r\n \ud800 \ud83d\ude00"));
        assertEquals("unchanged", SafeText.escape("unchanged"));
        for (String s : List.of("a\u0000b", "\ud800\udc00\udc00", "%%\u007f")) {
            assertNull(SafeText.lineViolation(SafeText.escape(s)), s);
        }
    }

    @Test
    void jsonViolationsNameThePath() {
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.putArray("rules").addObject().putArray("values").add("ok").add("bad\u0000");
        config.put("weight", Double.POSITIVE_INFINITY);
        config.put("na\u0001me", 1);
        List<String> out = new ArrayList<>();
        SafeText.jsonViolations("new_state", config, out, 10);
        assertEquals(3, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("new_state.rules[0].values[1]: contains the control character U+0000"), out.toString());
        assertTrue(out.get(1).startsWith("new_state.weight: must be a finite number"), out.toString());
        assertTrue(out.get(2).startsWith("new_state: member name na%01me"), out.toString());
    }

    @Test
    void deepNestingIsRefusedOnce() {
        JsonNode node = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 100; i++) {
            node = JsonNodeFactory.instance.arrayNode().add(node);
        }
        List<String> out = new ArrayList<>();
        SafeText.jsonViolations("scope", node, out, 10);
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).endsWith("nested deeper than " + SafeText.MAX_JSON_DEPTH + " levels"), out.toString());
    }

    @Test
    void validatorRefusesUnsafeTextInEveryField() {
        AuditEvent e = TestEvents.SIGNER.sign(TestEvents.fullBuilder().reason("why\u0000").correlationId("c\r\nX-Injected: 1")
                .build());
        List<String> v = EventValidator.violations(e);
        assertTrue(v.stream().anyMatch(m -> m.startsWith("reason: contains the control character U+0000")), v.toString());
        assertTrue(v.stream().anyMatch(m -> m.startsWith("correlation_id: contains the control character U+000D")), v.toString());
        assertTrue(EventValidator.violations(TestEvents.signed(), EventValidator.MAX_EVENT_BYTES + 1).stream()
                .anyMatch(m -> m.startsWith("event: its canonical JSON is")));
    }
}
