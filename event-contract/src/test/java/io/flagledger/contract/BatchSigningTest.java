package io.flagledger.contract;

import static io.flagledger.contract.TestEvents.KEYS;
import static io.flagledger.contract.TestEvents.KEY_ID;
import static io.flagledger.contract.TestEvents.SIGNER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flagledger.contract.EventSignature.Batch;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.MerkleTree;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schema version 2: one signature per batch, every event verifiable on its own, nothing else accepted. */
class BatchSigningTest {

    private static final KeyPair OTHER = Ed25519Keys.generate();
    private static final String OTHER_ID = "other-producer";
    private static final Map<String, java.security.PublicKey> TRUSTED = Map.of(KEY_ID, KEYS.getPublic(), OTHER_ID, OTHER.getPublic());
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 8, 100})
    void everyEventOfABatchVerifiesOnItsOwn(int size) throws Exception {
        List<AuditEvent> signed = SIGNER.signBatch(events(size));
        assertEquals(size, signed.size());
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            AuditEvent e = signed.get(i);
            assertEquals(AuditEvent.SCHEMA_VERSION_BATCH, e.schemaVersion());
            assertEquals(EventSignature.ED25519_BATCH, e.signature().algorithm());
            assertEquals(KEY_ID, e.signature().keyId());
            assertEquals(signed.get(0).signature().value(), e.signature().value(), "one signature per batch");
            assertEquals(new Batch(size, i, e.signature().batch().path()), e.signature().batch());
            assertEquals(List.of(), EventValidator.violations(e));
            // Alone: a fresh verifier that has seen no other event of the batch, on the event as a consumer parses it.
            EventJson.Parsed parsed = EventJson.parseCanonical(EventJson.canonicalBytes(e));
            assertEquals(e, parsed.event());
            assertDoesNotThrow(() -> new EventVerifier(TRUSTED).verify(parsed.event(), parsed.signing()));
            assertDoesNotThrow(() -> new EventVerifier(TRUSTED, 0).verify(parsed.event()));
            leaves.add(MerkleHash.leaf(EventJson.signingBytes(e)));
        }
        // The signature covers the statement over the RFC 6962 root of the leaves, computed by another path.
        byte[] statement = ("flagledger/event-batch/v1\n" + KEY_ID + "\n" + size + "\n"
                + Base64.getEncoder().encodeToString(MerkleTree.root(leaves)) + "\n").getBytes(StandardCharsets.UTF_8);
        assertTrue(new EventVerifier(TRUSTED).verifyRaw(KEY_ID, statement,
                Base64.getDecoder().decode(signed.get(0).signature().value())));
    }

    @Test
    void signingKeepsTheOrderAndTheContentAndSetsTheVersion() {
        List<AuditEvent> unsigned = events(5);
        List<AuditEvent> signed = SIGNER.signBatch(unsigned);
        for (int i = 0; i < 5; i++) {
            assertEquals(unsigned.get(i).eventId(), signed.get(i).eventId());
            assertEquals(unsigned.get(i).withSchemaVersion(2), signed.get(i).withoutSignature());
        }
        // sign() stays version 1, whatever it is given
        AuditEvent v1 = SIGNER.sign(signed.get(0));
        assertEquals(AuditEvent.SCHEMA_VERSION, v1.schemaVersion());
        assertEquals(EventSignature.ED25519, v1.signature().algorithm());
        assertEquals(null, v1.signature().batch());
        assertDoesNotThrow(() -> new EventVerifier(TRUSTED).verify(v1));
    }

    @Test
    void batchSizeIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> SIGNER.signBatch(List.of()));
        AuditEvent one = events(1).get(0);
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> SIGNER.signBatch(Collections.nCopies(Batch.MAX_SIZE + 1, one)));
        assertTrue(tooMany.getMessage().contains("65536"), tooMany.getMessage());
    }

    @Test
    void theSameEventInTwoBatchesVerifiesInBothWithDifferentSignatures() throws Exception {
        List<AuditEvent> unsigned = events(4);
        AuditEvent first = SIGNER.signBatch(unsigned).get(2);
        AuditEvent again = SIGNER.signBatch(unsigned.subList(1, 4)).get(1);
        assertArrayEquals(EventJson.signingBytes(first), EventJson.signingBytes(again));
        assertNotEquals(first.signature(), again.signature());
        EventVerifier verifier = new EventVerifier(TRUSTED);
        verifier.verify(first);
        verifier.verify(again);
    }

    /** Each edit is refused by a verifier that already verified the genuine batch (cache warm) and by a fresh one. */
    @Test
    void tamperMatrix() throws Exception {
        List<AuditEvent> batch = SIGNER.signBatch(events(7));
        AuditEvent e = batch.get(5); // index 5 of 7: a path of 3 hashes, both left and right siblings
        EventSignature s = e.signature();
        Batch b = s.batch();
        assertEquals(3, b.path().size());
        EventVerifier warm = new EventVerifier(TRUSTED);
        for (AuditEvent genuine : batch) {
            warm.verify(genuine);
        }
        AuditEvent v1 = SIGNER.sign(events(1).get(0));
        AuditEvent otherBatch = SIGNER.signBatch(events(7)).get(5);
        AuditEvent otherKey = new EventSigner(OTHER_ID, OTHER.getPrivate()).signBatch(events(7)).get(5);

        Map<String, AuditEvent> cases = new java.util.LinkedHashMap<>();
        cases.put("content", withReason(e, e.reason() + "!"));
        cases.put("content of another event of the batch", batch.get(4).withSignature(s));
        cases.put("index 4", with(e, x -> new Batch(x.size(), 4, x.path())));
        cases.put("index 6", with(e, x -> new Batch(x.size(), 6, x.path())));
        cases.put("index = size", with(e, x -> new Batch(x.size(), 7, x.path())));
        cases.put("index > size", with(e, x -> new Batch(x.size(), 8, x.path())));
        cases.put("index -1", with(e, x -> new Batch(x.size(), -1, x.path())));
        cases.put("index missing", with(e, x -> new Batch(x.size(), null, x.path())));
        cases.put("size 8", with(e, x -> new Batch(8, x.index(), x.path())));
        cases.put("size 6", with(e, x -> new Batch(6, x.index(), x.path())));
        cases.put("size 0", with(e, x -> new Batch(0, 0, List.of())));
        cases.put("size over the limit", with(e, x -> new Batch(Batch.MAX_SIZE + 1, 0, path(17))));
        cases.put("size missing", with(e, x -> new Batch(null, x.index(), x.path())));
        for (int i = 0; i < 3; i++) {
            int at = i;
            cases.put("path[" + i + "] flipped", with(e, x -> new Batch(x.size(), x.index(), replace(x.path(), at, flip(x.path().get(at))))));
        }
        cases.put("path element missing", with(e, x -> new Batch(x.size(), x.index(), x.path().subList(0, 2))));
        cases.put("path element extra", with(e, x -> new Batch(x.size(), x.index(), append(x.path(), x.path().get(0)))));
        cases.put("path missing", with(e, x -> new Batch(x.size(), x.index(), null)));
        cases.put("path element of 31 bytes", with(e, x -> new Batch(x.size(), x.index(),
                replace(x.path(), 0, Base64.getEncoder().encodeToString(new byte[31])))));
        cases.put("path element not base64", with(e, x -> new Batch(x.size(), x.index(), replace(x.path(), 0, "*".repeat(44)))));
        cases.put("path element non-canonical base64", with(e, x -> new Batch(x.size(), x.index(),
                replace(x.path(), 0, otherSpelling(x.path().get(0), 42)))));
        cases.put("value flipped", e.withSignature(new EventSignature(KEY_ID, s.algorithm(), flip(s.value()), b)));
        cases.put("value non-canonical base64", e.withSignature(new EventSignature(KEY_ID, s.algorithm(), otherSpelling(s.value(), 85), b)));
        cases.put("value of another batch", e.withSignature(new EventSignature(KEY_ID, s.algorithm(), otherBatch.signature().value(), b)));
        cases.put("proof of another batch", e.withSignature(otherBatch.signature()));
        cases.put("value missing", e.withSignature(new EventSignature(KEY_ID, s.algorithm(), null, b)));
        cases.put("key_id of another trusted key", e.withSignature(new EventSignature(OTHER_ID, s.algorithm(), s.value(), b)));
        cases.put("signature of another trusted key", e.withSignature(new EventSignature(KEY_ID, s.algorithm(),
                otherKey.signature().value(), otherKey.signature().batch())));
        cases.put("key_id unknown", e.withSignature(new EventSignature("nobody", s.algorithm(), s.value(), b)));
        cases.put("algorithm Ed25519 on a v2 event", e.withSignature(new EventSignature(KEY_ID, EventSignature.ED25519, s.value(), b)));
        cases.put("algorithm Ed25519 without batch on a v2 event", e.withSignature(new EventSignature(KEY_ID, EventSignature.ED25519, s.value())));
        cases.put("batch missing", e.withSignature(new EventSignature(KEY_ID, s.algorithm(), s.value())));
        cases.put("v2 event as schema version 1", e.withSchemaVersion(1).withSignature(s));
        cases.put("algorithm Ed25519-batch on a v1 event", v1.withSignature(new EventSignature(KEY_ID, EventSignature.ED25519_BATCH,
                v1.signature().value(), new Batch(1, 0, List.of()))));
        cases.put("v1 event as schema version 2", v1.withSchemaVersion(2).withSignature(v1.signature()));
        cases.put("v1 signature with a batch", v1.withSignature(new EventSignature(KEY_ID, EventSignature.ED25519,
                v1.signature().value(), new Batch(1, 0, List.of()))));

        for (Map.Entry<String, AuditEvent> c : cases.entrySet()) {
            assertThrows(SignatureVerificationException.class, () -> warm.verify(c.getValue()), c.getKey() + " (warm cache)");
            assertThrows(SignatureVerificationException.class, () -> new EventVerifier(TRUSTED).verify(c.getValue()),
                    c.getKey() + " (fresh verifier)");
        }
        // The shape rules are the validator's too, so a consumer names the field before looking at the signature.
        for (String shape : List.of("index = size", "index > size", "index -1", "index missing", "size 0",
                "size over the limit", "size missing", "path element missing", "path element extra", "path missing",
                "path element of 31 bytes", "path element not base64", "path element non-canonical base64",
                "algorithm Ed25519 on a v2 event", "algorithm Ed25519 without batch on a v2 event", "batch missing",
                "v2 event as schema version 1", "algorithm Ed25519-batch on a v1 event", "v1 event as schema version 2",
                "v1 signature with a batch")) {
            List<String> v = EventValidator.violations(cases.get(shape));
            assertFalse(v.isEmpty(), shape);
            assertTrue(v.stream().allMatch(m -> m.startsWith("signature.")), shape + ": " + v);
        }
        // and the genuine events still verify after all of that
        for (AuditEvent genuine : batch) {
            warm.verify(genuine);
        }
    }

    @Test
    void aCacheHitNeverAcceptsAnotherValueOrStatement() throws Exception {
        EventVerifier verifier = new EventVerifier(TRUSTED);
        List<AuditEvent> a = SIGNER.signBatch(events(8));
        List<AuditEvent> b = SIGNER.signBatch(events(8));
        verifier.verify(a.get(0));
        verifier.verify(b.get(0));
        assertEquals(2, verifier.cachedStatements());
        // Each statement and each value is in the cache, but never as this pair.
        AuditEvent mixed = a.get(3).withSignature(new EventSignature(KEY_ID, EventSignature.ED25519_BATCH,
                b.get(3).signature().value(), a.get(3).signature().batch()));
        assertThrows(SignatureVerificationException.class, () -> verifier.verify(mixed));
        assertThrows(SignatureVerificationException.class, () -> verifier.verify(withReason(a.get(3), "edited")));
        assertEquals(2, verifier.cachedStatements(), "failures are not remembered");
        verifier.verify(a.get(3));
        assertEquals(2, verifier.cachedStatements(), "a hit adds nothing");
    }

    @Test
    void theCacheIsBounded() throws Exception {
        EventVerifier verifier = new EventVerifier(TRUSTED, 4);
        List<List<AuditEvent>> batches = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batches.add(SIGNER.signBatch(events(3)));
            verifier.verify(batches.get(i).get(0));
            assertTrue(verifier.cachedStatements() <= 4, "" + verifier.cachedStatements());
        }
        for (List<AuditEvent> batch : batches) { // evicted statements are verified again
            verifier.verify(batch.get(1));
        }
        EventVerifier none = new EventVerifier(TRUSTED, 0);
        none.verify(batches.get(0).get(0));
        assertEquals(0, none.cachedStatements());
    }

    /** Consumers verify on several threads: verdicts stay exact while the cache fills and evicts concurrently. */
    @Test
    void concurrentVerificationGivesTheSameVerdicts() throws Exception {
        EventVerifier verifier = new EventVerifier(TRUSTED, 8);
        List<AuditEvent> genuine = new ArrayList<>();
        List<AuditEvent> forged = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<AuditEvent> batch = SIGNER.signBatch(events(10));
            genuine.addAll(batch);
            forged.add(withReason(batch.get(i % 10), "forged " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> verdicts = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < genuine.size(); i++) {
                    AuditEvent e = genuine.get(i);
                    verdicts.add(pool.submit(() -> verifies(verifier, e)));
                    if (i % 10 == 0) {
                        AuditEvent f = forged.get(i / 10);
                        verdicts.add(pool.submit(() -> !verifies(verifier, f)));
                    }
                }
            }
            for (Future<Boolean> v : verdicts) {
                assertTrue(v.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(verifier.cachedStatements() <= 8 + 8, "" + verifier.cachedStatements());
    }

    @Test
    void aBatchEventRoundTripsThroughJsonAndItsSchemaFieldsAreNamed() throws Exception {
        AuditEvent e = SIGNER.signBatch(events(3)).get(2);
        String json = EventJson.toJson(e);
        assertTrue(json.contains("\"batch\":{\"index\":2,\"path\":[\""), json);
        assertTrue(json.contains("\"size\":3}"), json);
        assertTrue(json.contains("\"schema_version\":2"), json);
        assertEquals(e, EventJson.parse(json));
        // Types are strict: a string size or a fractional index is not an event.
        assertThrows(InvalidEventException.class, () -> EventJson.parse(json.replace("\"size\":3", "\"size\":\"3\"")));
        assertThrows(InvalidEventException.class, () -> EventJson.parse(json.replace("\"index\":2", "\"index\":2.0")));
        assertThrows(InvalidEventException.class, () -> EventJson.parse(json.replace("\"path\":[", "\"path\":[null,")));
        assertThrows(InvalidEventException.class, () -> EventJson.parse(json.replace("\"size\":3", "\"size\":4294967299")));
    }

    private static boolean verifies(EventVerifier verifier, AuditEvent e) {
        try {
            verifier.verify(e);
            return true;
        } catch (SignatureVerificationException x) {
            return false;
        }
    }

    static List<AuditEvent> events(int n) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TestEvents.fullBuilder().flagId("flag-" + i).build());
        }
        return out;
    }

    private static AuditEvent with(AuditEvent e, UnaryOperator<Batch> change) {
        EventSignature s = e.signature();
        return e.withSignature(new EventSignature(s.keyId(), s.algorithm(), s.value(), change.apply(s.batch())));
    }

    private static AuditEvent withReason(AuditEvent e, String reason) {
        return new AuditEvent(e.schemaVersion(), e.eventId(), e.timestamp(), e.actorId(), e.actorType(),
                e.actorName(), e.actorEmail(), e.actorRoles(), e.sourceService(), e.action(), e.project(),
                e.flagId(), e.environment(), e.previousState(), e.newState(), e.scope(), e.correlationId(),
                reason, e.request(), e.signature());
    }

    private static List<String> path(int n) {
        return Collections.nCopies(n, Base64.getEncoder().encodeToString(new byte[32]));
    }

    private static List<String> replace(List<String> list, int at, String value) {
        List<String> out = new ArrayList<>(list);
        out.set(at, value);
        return out;
    }

    private static List<String> append(List<String> list, String value) {
        List<String> out = new ArrayList<>(list);
        out.add(value);
        return out;
    }

    /** The same base64 text with one data bit changed (first character). */
    private static String flip(String base64) {
        return ALPHABET.charAt(ALPHABET.indexOf(base64.charAt(0)) ^ 1) + base64.substring(1);
    }

    /** The same bytes spelled differently: the lowest padding bit of the last data character set. */
    private static String otherSpelling(String base64, int lastDataChar) {
        String alt = base64.substring(0, lastDataChar) + ALPHABET.charAt(ALPHABET.indexOf(base64.charAt(lastDataChar)) ^ 1)
                + base64.substring(lastDataChar + 1);
        assertArrayEquals(Base64.getDecoder().decode(base64), Base64.getDecoder().decode(alt));
        return alt;
    }
}
