package io.flagledger.contract;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static io.flagledger.contract.TestEvents.KEYS;
import static io.flagledger.contract.TestEvents.KEY_ID;
import static io.flagledger.contract.TestEvents.SIGNER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningTest {

    private final EventVerifier verifier = new EventVerifier(Map.of(KEY_ID, KEYS.getPublic()));

    @Test
    void signedEventVerifies() {
        AuditEvent e = TestEvents.signed();
        assertNotNull(e.signature());
        assertEquals(KEY_ID, e.signature().keyId());
        assertEquals("Ed25519", e.signature().algorithm());
        assertEquals(64, Base64.getDecoder().decode(e.signature().value()).length);
        assertDoesNotThrow(() -> verifier.verify(e));
    }

    @Test
    void roundTripThroughJsonVerifies() {
        String json = EventJson.toJson(TestEvents.signed());
        EventVerifier fromText = EventVerifier.fromEncoded(Map.of(KEY_ID, Ed25519Keys.encodePublic(KEYS.getPublic())));
        assertDoesNotThrow(() -> fromText.verify(EventJson.parse(json)));
    }

    @Test
    void alteredFieldFails() {
        AuditEvent e = TestEvents.signed();
        assertRejected(withReason(e, e.reason().replace('E', 'F')), "does not match");
        assertRejected(withReason(e, e.reason() + " "), "does not match");
        // Tamper with the serialized bytes the way an attacker on the wire would.
        String json = EventJson.toJson(e).replace("\"flag.toggled\"", "\"flag.deleted\"");
        assertRejected(EventJson.parse(json), "does not match");
        String ts = EventJson.toJson(e).replace("56.123456Z", "56.123457Z");
        assertRejected(EventJson.parse(ts), "does not match");
    }

    @Test
    void flippedSignatureByteFails() {
        AuditEvent e = TestEvents.signed();
        for (int i : new int[]{0, 31, 63}) {
            byte[] sig = Base64.getDecoder().decode(e.signature().value());
            sig[i] ^= 0x01;
            AuditEvent bad = e.withSignature(new EventSignature(KEY_ID, "Ed25519",
                    Base64.getEncoder().encodeToString(sig)));
            assertRejected(bad, "does not match");
        }
    }

    @Test
    void signatureProblemsAreNamed() {
        AuditEvent e = TestEvents.signed();
        EventSignature s = e.signature();
        assertRejected(e.withoutSignature(), "not signed");
        assertRejected(e.withSignature(new EventSignature("someone-else", s.algorithm(), s.value())), "unknown signing key id");
        assertRejected(e.withSignature(new EventSignature(null, s.algorithm(), s.value())), "unknown signing key id");
        assertRejected(e.withSignature(new EventSignature(KEY_ID, "RS256", s.value())), "unsupported signature algorithm");
        assertRejected(e.withSignature(new EventSignature(KEY_ID, s.algorithm(), "***")), "not valid base64");
        assertRejected(e.withSignature(new EventSignature(KEY_ID, s.algorithm(), "AAAA")), "64 bytes");
        assertRejected(e.withSignature(new EventSignature(KEY_ID, s.algorithm(), null)), "value is missing");
        // Same bytes, different base64 spelling (non-zero padding bits) must not yield a second ledger hash.
        // The 86th character carries 2 signature bits and 4 padding bits; flip the lowest padding bit.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        String v = s.value();
        String alt = v.substring(0, 85) + alphabet.charAt(alphabet.indexOf(v.charAt(85)) ^ 1) + "==";
        assertArrayEquals(Base64.getDecoder().decode(v), Base64.getDecoder().decode(alt));
        assertRejected(e.withSignature(new EventSignature(KEY_ID, s.algorithm(), alt)), "canonical base64");
    }

    @Test
    void otherKeyWithSameIdFails() {
        KeyPair other = Ed25519Keys.generate();
        AuditEvent e = new EventSigner(KEY_ID, other.getPrivate()).sign(TestEvents.fullBuilder().build());
        assertRejected(e, "does not match");
    }

    @Test
    void signingBytesExcludeSignature() {
        AuditEvent e = TestEvents.signed();
        String signing = new String(EventJson.signingBytes(e), StandardCharsets.UTF_8);
        assertFalse(signing.contains("\"signature\""), signing);
        assertFalse(signing.contains(e.signature().value()), signing);
        assertArrayEquals(EventJson.signingBytes(e), EventJson.signingBytes(e.withoutSignature()));
        assertArrayEquals(EventJson.signingBytes(e), EventJson.canonicalBytes(e.withoutSignature()));
        assertTrue(new String(EventJson.canonicalBytes(e), StandardCharsets.UTF_8).contains("\"signature\""));
    }

    @Test
    void fieldInsertionOrderDoesNotMatter() {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.put("enabled", true).put("rollout", 0.5).putObject("rules").put("country", "DE").put("tier", "gold");
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.putObject("rules").put("tier", "gold").put("country", "DE");
        b.put("rollout", 0.50).put("enabled", true);

        Instant ts = Instant.parse("2026-04-04T12:00:00Z");
        String id = UuidV7.nextString();
        AuditEvent first = AuditEvent.builder().eventId(id).timestamp(ts).newState(a).actorRoles("b", "a")
                .action("flag.updated").actorId("u").build();
        AuditEvent second = AuditEvent.builder().actorId("u").action("flag.updated").actorRoles("a", "b", "a")
                .newState(b).timestamp(ts).eventId(id).build();
        assertArrayEquals(EventJson.signingBytes(first), EventJson.signingBytes(second));
        assertDoesNotThrow(() -> verifier.verify(second.withSignature(SIGNER.sign(first).signature())));
    }

    @Test
    void callerMutationsCannotChangeASignedEvent() {
        ObjectNode state = JsonNodeFactory.instance.objectNode().put("enabled", true);
        AuditEvent e = SIGNER.sign(TestEvents.fullBuilder().newState(state).build());
        state.put("enabled", false);
        assertDoesNotThrow(() -> verifier.verify(e));
    }

    @Test
    void rawSignatures() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = SIGNER.signRaw(data);
        assertEquals(64, sig.length);
        assertTrue(verifier.verifyRaw(KEY_ID, data, sig));
        assertFalse(verifier.verifyRaw("nope", data, sig));
        assertFalse(verifier.verifyRaw(KEY_ID, "hellp".getBytes(StandardCharsets.UTF_8), sig));
        assertFalse(verifier.verifyRaw(KEY_ID, data, new byte[3]));
        assertFalse(verifier.verifyRaw(null, data, sig));
    }

    @Test
    void signerRejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new EventSigner(" ", KEYS.getPrivate()));
        assertEquals(KEY_ID, SIGNER.keyId());
    }

    private static AuditEvent withReason(AuditEvent e, String reason) {
        return new AuditEvent(e.schemaVersion(), e.eventId(), e.timestamp(), e.actorId(), e.actorType(),
                e.actorName(), e.actorEmail(), e.actorRoles(), e.sourceService(), e.action(), e.project(),
                e.flagId(), e.environment(), e.previousState(), e.newState(), e.scope(), e.correlationId(),
                reason, e.request(), e.signature());
    }

    private void assertRejected(AuditEvent e, String why) {
        SignatureVerificationException ex = assertThrows(SignatureVerificationException.class, () -> verifier.verify(e));
        assertTrue(ex.getMessage().contains(why), "'" + ex.getMessage() + "' should contain '" + why + "'");
    }
}
