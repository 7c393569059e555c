package io.flagledger.contract;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Verifies event signatures against a fixed set of trusted public keys. Thread-safe. */
public final class EventVerifier {

    private static final int SIGNATURE_LENGTH = 64;
    private final Map<String, PublicKey> trusted;

    public EventVerifier(Map<String, PublicKey> trustedKeysById) {
        Objects.requireNonNull(trustedKeysById, "trusted keys");
        trustedKeysById.forEach((id, key) -> {
            Objects.requireNonNull(id, "key id");
            Objects.requireNonNull(key, () -> "public key for id " + id);
        });
        this.trusted = Map.copyOf(trustedKeysById);
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
        if (!EventSignature.ED25519.equals(sig.algorithm())) {
            throw new SignatureVerificationException("unsupported signature algorithm '" + sig.algorithm()
                    + "' (expected " + EventSignature.ED25519 + ")");
        }
        if (sig.keyId() == null || !trusted.containsKey(sig.keyId())) {
            throw new SignatureVerificationException("unknown signing key id '" + sig.keyId() + "'");
        }
        if (sig.value() == null || sig.value().isEmpty()) {
            throw new SignatureVerificationException("signature value is missing");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(sig.value());
        } catch (IllegalArgumentException ex) {
            throw new SignatureVerificationException("signature value is not valid base64", ex);
        }
        // Reject alternative base64 spellings of the same bytes so one valid event has one ledger hash.
        if (!MessageDigest.isEqual(Base64.getEncoder().encode(raw), sig.value().getBytes(StandardCharsets.US_ASCII))) {
            throw new SignatureVerificationException("signature value is not canonical base64");
        }
        if (raw.length != SIGNATURE_LENGTH) {
            throw new SignatureVerificationException("signature must be " + SIGNATURE_LENGTH
                    + " bytes but is " + raw.length);
        }
        if (!verifyRaw(sig.keyId(), signingBytes != null ? signingBytes : EventJson.signingBytes(e), raw)) {
            throw new SignatureVerificationException("signature does not match the content of event "
                    + e.eventId() + " (key id '" + sig.keyId() + "'): the event was altered or signed with another key");
        }
    }

    /** False for unknown key ids and malformed signatures; never throws for bad input. */
    public boolean verifyRaw(String keyId, byte[] data, byte[] signature) {
        PublicKey key = keyId == null ? null : trusted.get(keyId);
        if (key == null || data == null || signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(Ed25519Keys.ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException ex) {
            return false; // malformed signature encodings surface as SignatureException
        }
    }
}
