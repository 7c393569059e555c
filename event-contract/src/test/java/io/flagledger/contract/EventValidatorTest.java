package io.flagledger.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventValidatorTest {

    @Test
    void validEventHasNoViolations() {
        assertEquals(List.of(), EventValidator.violations(TestEvents.signed()));
    }

    @Test
    void minimalEventIsValid() {
        AuditEvent e = TestEvents.SIGNER.sign(AuditEvent.builder().actorId("svc").actorType(ActorType.SERVICE)
                .sourceService("monitor-service").action("flag.stale").correlationId("c").build());
        assertEquals(List.of(), EventValidator.violations(e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_id", "timestamp", "actor_id", "actor_type", "source_service", "action",
            "correlation_id", "signature"})
    void missingRequiredFieldIsNamed(String field) {
        List<String> v = EventValidator.violations(without(TestEvents.signed(), field));
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith(field + ":"), v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"actor_id", "source_service", "action", "correlation_id"})
    void blankRequiredFieldIsNamed(String field) {
        AuditEvent e = TestEvents.signed();
        AuditEvent blank = EventJson.parse(EventJson.toJson(e).replaceFirst(
                "\"" + field + "\":\"[^\"]*\"", "\"" + field + "\":\" \""));
        List<String> v = EventValidator.violations(blank);
        assertTrue(v.size() == 1 && v.get(0).startsWith(field + ":"), v.toString());
    }

    /**
     * The per-character checks of action and event id say what the schema's patterns say: on the edge cases of each
     * rule, and on strings that differ from a valid one in one character (any ASCII or a few non-ASCII look-alikes).
     */
    @Test
    void actionAndEventIdChecksAreTheSchemasPatterns() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(getClass().getResourceAsStream("/schema/audit-event-v2.schema.json"));
        assertEquals(schema.at("/properties/action/pattern").textValue(), EventValidator.ACTION);
        assertEquals(schema.at("/properties/event_id/pattern").textValue(), EventValidator.UUID_V7);
        Pattern action = Pattern.compile(EventValidator.ACTION);
        Pattern uuid = Pattern.compile(EventValidator.UUID_V7);
        List<String> samples = new ArrayList<>(List.of("", "a", "z", "0", "flag.toggled", "a".repeat(64),
                "a".repeat(65), "A", "é", UuidV7.nextString(), UuidV7.nextString().toUpperCase(Locale.ROOT),
                java.util.UUID.randomUUID().toString()));
        String chars = "\u0000\n -./0189:@AFGZ_`afgz{~\u007f\u00e9\uff10\uff41\ud800";
        for (String valid : List.of("flag.toggled-2_x", UuidV7.nextString())) {
            for (int i = 0; i < valid.length(); i++) {
                for (char c : chars.toCharArray()) {
                    samples.add(valid.substring(0, i) + c + valid.substring(i + 1));
                }
            }
            samples.add(valid + "a");
            samples.add(valid.substring(1));
        }
        for (String s : samples) {
            assertEquals(action.matcher(s).matches(), EventValidator.isAction(s), "action " + s);
            assertEquals(uuid.matcher(s).matches(), EventValidator.isUuidV7(s), "event id " + s);
        }
    }

    @Test
    void formatAndLengthRules() {
        AuditEvent ok = TestEvents.signed();
        assertViolation(rebuild(ok, b -> b.action("Flag.Toggled")), "action:");
        assertViolation(rebuild(ok, b -> b.action("flag toggled")), "action:");
        assertViolation(rebuild(ok, b -> b.action("f" + "x".repeat(64))), "action:");
        assertViolation(rebuild(ok, b -> b.eventId(java.util.UUID.randomUUID().toString())), "event_id:");
        assertViolation(rebuild(ok, b -> b.actorId("a".repeat(257))), "actor_id:");
        assertViolation(rebuild(ok, b -> b.flagId("f".repeat(257))), "flag_id:");
        assertViolation(rebuild(ok, b -> b.reason("r".repeat(2001))), "reason:");
        assertViolation(rebuild(ok, b -> b.actorRoles(" ")), "actor_roles:");
        assertEquals(List.of(), EventValidator.violations(rebuild(ok, b -> b.reason("r".repeat(2000)))));
        assertEquals(List.of(), EventValidator.violations(rebuild(ok, b -> b.action("a"))));
    }

    @Test
    void schemaVersionAndSignatureAlgorithm() {
        AuditEvent ok = TestEvents.signed();
        assertViolation(EventJson.parse(EventJson.toJson(ok).replace("\"schema_version\":1", "\"schema_version\":3")),
                "schema_version:");
        assertViolation(ok.withSignature(new EventSignature(ok.signature().keyId(), "RS256", ok.signature().value())),
                "signature.algorithm:");
        assertViolation(ok.withSignature(new EventSignature(null, "Ed25519", ok.signature().value())),
                "signature.key_id:");
        assertViolation(ok.withSignature(new EventSignature("k", "Ed25519", "")), "signature.value:");
        assertViolation(without(ok, "schema_version"), "schema_version:"); // parsed as 0
        assertEquals(List.of("event: must not be null"), EventValidator.violations(null));
    }

    @Test
    void batchSignedEventsAreVersion2AndTheirSignatureRulesAreNamed() {
        List<AuditEvent> batch = TestEvents.SIGNER.signBatch(List.of(TestEvents.fullBuilder().build(),
                TestEvents.fullBuilder().flagId("other").build(), TestEvents.fullBuilder().flagId("third").build()));
        batch.forEach(e -> assertEquals(List.of(), EventValidator.violations(e)));
        AuditEvent v2 = batch.get(2);
        EventSignature s = v2.signature();
        // a version 1 signature on a version 2 event and back: two rules each, both named
        List<String> v = EventValidator.violations(v2.withSignature(TestEvents.signed().signature()));
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("signature.algorithm: must be Ed25519-batch"), v.toString());
        assertTrue(v.get(1).startsWith("signature.batch: is required"), v.toString());
        v = EventValidator.violations(TestEvents.signed().withSignature(s));
        assertTrue(v.get(0).startsWith("signature.algorithm: must be Ed25519 "), v.toString());
        assertTrue(v.get(1).startsWith("signature.batch: is not allowed"), v.toString());
        assertViolation(v2.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                new EventSignature.Batch(3, 2, List.of()))), "signature.batch.path: leaf 2 of a batch of 3 needs 1 hashes, got 0");
        assertViolation(v2.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                new EventSignature.Batch(3, 3, s.batch().path()))), "signature.batch.index:");
        assertViolation(v2.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                new EventSignature.Batch(65537, 0, s.batch().path()))), "signature.batch.size:");
        assertViolation(v2.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                new EventSignature.Batch(3, 2, List.of("AA==")))), "signature.batch.path[0]:");
        // The same 32 bytes, but with non-zero pad bits: decodable, not canonical.
        String hash = s.batch().path().get(0);
        char last = hash.charAt(42);
        String padded = hash.substring(0, 42) + (char) (last + 1) + "=";
        assertViolation(v2.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(),
                new EventSignature.Batch(3, 2, List.of(padded)))), "signature.batch.path[0]: must be canonical");
    }

    private static AuditEvent rebuild(AuditEvent e, UnaryOperator<AuditEvent.Builder> change) {
        return TestEvents.SIGNER.sign(change.apply(e.toBuilder()).build());
    }

    private static void assertViolation(AuditEvent e, String prefix) {
        List<String> v = EventValidator.violations(e);
        assertTrue(v.size() == 1 && v.get(0).startsWith(prefix), v.toString());
    }

    /** Drops one JSON member, as a producer that forgot the field would. */
    static AuditEvent without(AuditEvent e, String field) {
        try {
            var tree = (com.fasterxml.jackson.databind.node.ObjectNode) EventJson.mapper().readTree(EventJson.toJson(e));
            tree.remove(field);
            return EventJson.parse(tree.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
