package io.flagledger.contract;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Objects;

/** Signs events with one Ed25519 key. Thread-safe. */
public final class EventSigner {

    private final String keyId;
    private final PrivateKey key;

    public EventSigner(String keyId, PrivateKey key) {
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("key id must not be blank");
        }
        this.keyId = keyId;
        this.key = Objects.requireNonNull(key, "private key");
        try {
            Signature.getInstance(Ed25519Keys.ALGORITHM).initSign(key); // fail fast on a non-Ed25519 key
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 private key (algorithm " + key.getAlgorithm() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable in this JDK", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** Returns a copy carrying a fresh signature over {@link EventJson#signingBytes}; any existing one is replaced. */
    public AuditEvent sign(AuditEvent unsigned) {
        byte[] sig = signRaw(EventJson.signingBytes(unsigned));
        return unsigned.withSignature(new EventSignature(keyId, EventSignature.ED25519,
                Base64.getEncoder().encodeToString(sig)));
    }

    /** Raw 64-byte Ed25519 signature. */
    public byte[] signRaw(byte[] data) {
        Objects.requireNonNull(data, "data");
        try {
            // Signature objects are stateful, so one per call keeps the signer thread-safe.
            Signature s = Signature.getInstance(Ed25519Keys.ALGORITHM);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
