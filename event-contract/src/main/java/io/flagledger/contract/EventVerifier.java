package io.flagledger.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Verifies event signatures against a fixed set of trusted public keys: schema version 1 (one Ed25519 signature per
 * event) and version 2 (a batch signature, see {@link EventSigner#signBatch}). Thread-safe.
 *
 * <p>A version 2 event costs one leaf hash and at most 16 node hashes to lead to its batch root; the Ed25519 check of
 * the batch statement is done once per distinct (key id, statement, signature) and remembered in a bounded cache.
 * A cache hit means exactly that signature over exactly that statement was verified with that key before; a
 * failure is never remembered.
 */
public final class EventVerifier {

    /** Batch statements remembered by default: a few thousand batches in flight, about 1 MB. */
    public static final int DEFAULT_CACHE_SIZE = 4096;

    private static final int SIGNATURE_LENGTH = Ed25519Engine.SIGNATURE_LENGTH;
    private final Map<String, Ed25519Engine.Verifier> trusted;
    private final VerifiedStatements verified;

    public EventVerifier(Map<String, PublicKey> trustedKeysById) {
        this(trustedKeysById, DEFAULT_CACHE_SIZE);
    }

    /** @param cacheSize how many verified batch statements to remember (0: none, every event pays the signature) */
    public EventVerifier(Map<String, PublicKey> trustedKeysById, int cacheSize) {
        Objects.requireNonNull(trustedKeysById, "trusted keys");
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cache size must not be negative");
        }
        trustedKeysById.forEach((id, key) -> {
            Objects.requireNonNull(id, "key id");
            Objects.requireNonNull(key, () -> "public key for id " + id);
        });
        Map<String, Ed25519Engine.Verifier> verifiers = new HashMap<>();
        trustedKeysById.forEach((id, key) -> verifiers.put(id, Ed25519Engine.verifier(key)));
        this.trusted = Map.copyOf(verifiers);
        this.verified = new VerifiedStatements(cacheSize);
    }

    /** Keys as produced by {@link Ed25519Keys#encodePublic} (or PEM). */
    public static EventVerifier fromEncoded(Map<String, String> base64KeysById) {
        Objects.requireNonNull(base64KeysById, "trusted keys");
        Map<String, PublicKey> keys = new HashMap<>();
        base64KeysById.forEach((id, encoded) -> {
            try {
                keys.put(id, Ed25519Keys.decodePublic(encoded));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted key '" + id + "': " + e.getMessage(), e);
            }
        });
        return new EventVerifier(keys);
    }

    public void verify(AuditEvent e) throws SignatureVerificationException {
        verify(e, null);
    }

    /**
     * {@link #verify(AuditEvent)} over the event's signing bytes as {@link EventJson#parseCanonical} computed them
     * from the same parse ({@code null}: computed here), so a consumer canonicalizes each event once.
     */
    public void verify(AuditEvent e, byte[] signingBytes) throws SignatureVerificationException {
        if (e == null) {
            throw new SignatureVerificationException("event is null");
        }
        EventSignature sig = e.signature();
        if (sig == null) {
            throw new SignatureVerificationException("event " + e.eventId() + " is not signed");
        }
        boolean batch = EventSignature.ED25519_BATCH.equals(sig.algorithm());
        if (!batch && !EventSignature.ED25519.equals(sig.algorithm())) {
            throw new SignatureVerificationException("unsupported signature algorithm '" + sig.algorithm()
                    + "' (expected " + EventSignature.ED25519 + " or " + EventSignature.ED25519_BATCH + ")");
        }
        // The version is signed, the algorithm is not: a version 1 event must not pass as a batch member or back.
        int version = batch ? AuditEvent.SCHEMA_VERSION_BATCH : AuditEvent.SCHEMA_VERSION;
        if (e.schemaVersion() != version) {
            throw new SignatureVerificationException("signature algorithm " + sig.algorithm() + " belongs to schema version "
                    + version + ", the event is version " + e.schemaVersion());
        }
        if (batch != (sig.batch() != null)) {
            throw new SignatureVerificationException(batch ? "signature.batch is missing for algorithm " + sig.algorithm()
                    : "signature.batch is not allowed with algorithm " + sig.algorithm());
        }
        if (sig.keyId() == null || !trusted.containsKey(sig.keyId())) {
            throw new SignatureVerificationException("unknown signing key id '" + sig.keyId() + "'");
        }
        byte[] raw = signatureBytes(sig.value());
        byte[] data = signingBytes != null ? signingBytes : EventJson.signingBytes(e);
        if (!batch) {
            if (!verifyRaw(sig.keyId(), data, raw)) {
                throw new SignatureVerificationException("signature does not match the content of event " + e.eventId()
                        + " (key id '" + sig.keyId() + "'): the event was altered or signed with another key");
            }
            return;
        }
        byte[] root;
        try {
            root = BatchProofs.root(sig.batch(), data);
        } catch (IllegalArgumentException problem) {
            throw new SignatureVerificationException(problem.getMessage());
        }
        // The statement is (key id, size, root) spelled out: the key compares those, and the statement is built only
        // when it has to be verified.
        Statement key = new Statement(sig.keyId(), sig.batch().size(), root, sig.value());
        if (verified.contains(key)) {
            return;
        }
        if (!verifyRaw(sig.keyId(), BatchProofs.statement(sig.keyId(), sig.batch().size(), root), raw)) {
            throw new SignatureVerificationException("batch signature does not match event " + e.eventId()
                    + " (key id '" + sig.keyId() + "', leaf " + sig.batch().index() + " of " + sig.batch().size()
                    + "): the event or its batch proof was altered, or it was signed with another key");
        }
        verified.add(key);
    }

    /** False for unknown key ids and malformed signatures; never throws for bad input. */
    public boolean verifyRaw(String keyId, byte[] data, byte[] signature) {
        Ed25519Engine.Verifier key = keyId == null ? null : trusted.get(keyId);
        return key != null && key.verify(data, signature);
    }

    /** How many verified batch statements are remembered now. */
    int cachedStatements() {
        return verified.size();
    }

    private static byte[] signatureBytes(String value) throws SignatureVerificationException {
        if (value == null || value.isEmpty()) {
            throw new SignatureVerificationException("signature value is missing");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException ex) {
            throw new SignatureVerificationException("signature value is not valid base64", ex);
        }
        // Reject alternative base64 spellings of the same bytes so one valid event has one ledger hash.
        if (!MessageDigest.isEqual(Base64.getEncoder().encode(raw), value.getBytes(StandardCharsets.US_ASCII))) {
            throw new SignatureVerificationException("signature value is not canonical base64");
        }
        if (raw.length != SIGNATURE_LENGTH) {
            throw new SignatureVerificationException("signature must be " + SIGNATURE_LENGTH
                    + " bytes but is " + raw.length);
        }
        return raw;
    }

    /**
     * One verified batch signature: the key id, size and root its statement is made of, and the signature value,
     * compared in full, so a hit is exactly what was verified.
     */
    private record Statement(String keyId, int size, byte[] root, String value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Statement s && size == s.size && keyId.equals(s.keyId) && Arrays.equals(root, s.root)
                    && value.equals(s.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(root); // a hash already: its bytes spread well
        }
    }

    /**
     * A bounded set of verified statements, oldest out first (batches arrive in order, and a redelivered duplicate
     * soon after its first copy). Reads take no lock; two threads missing the same statement both verify it.
     */
    private static final class VerifiedStatements {
        private final int capacity;
        private final Map<Statement, Boolean> entries = new ConcurrentHashMap<>();
        private final Queue<Statement> order = new ConcurrentLinkedQueue<>();

        VerifiedStatements(int capacity) {
            this.capacity = capacity;
        }

        int size() {
            return entries.size();
        }

        boolean contains(Statement s) {
            return entries.containsKey(s);
        }

        void add(Statement s) {
            if (capacity == 0 || entries.putIfAbsent(s, Boolean.TRUE) != null) {
                return;
            }
            order.add(s);
            while (entries.size() > capacity) {
                Statement oldest = order.poll();
                if (oldest == null) {
                    return;
                }
                entries.remove(oldest);
            }
        }
    }
}
