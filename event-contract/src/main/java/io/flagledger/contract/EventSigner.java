package io.flagledger.contract;

import java.security.PrivateKey;
import java.util.Base64;
import java.util.Objects;

/** Signs events with one Ed25519 key. Thread-safe. */
public final class EventSigner {

    private final String keyId;
    private final Ed25519Engine.Signer key;

    public EventSigner(String keyId, PrivateKey key) {
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("key id must not be blank");
        }
        this.keyId = keyId;
        this.key = Ed25519Engine.signer(Objects.requireNonNull(key, "private key"));
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
        return key.sign(data);
    }
}
