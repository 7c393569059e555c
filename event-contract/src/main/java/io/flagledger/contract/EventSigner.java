package io.flagledger.contract;

import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.MerkleHash;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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

    /** The public half of the signing key: what verifies this signer's events. */
    public PublicKey publicKey() {
        return Ed25519Keys.publicFromRaw(key.rawPublicKey());
    }

    /**
     * Returns a schema version 1 copy carrying a fresh signature over {@link EventJson#signingBytes}; any existing
     * signature is replaced.
     */
    public AuditEvent sign(AuditEvent unsigned) {
        AuditEvent v1 = unsigned.schemaVersion() == AuditEvent.SCHEMA_VERSION ? unsigned
                : unsigned.withSchemaVersion(AuditEvent.SCHEMA_VERSION);
        byte[] sig = signRaw(EventJson.signingBytes(v1));
        return v1.withSignature(new EventSignature(keyId, EventSignature.ED25519,
                Base64.getEncoder().encodeToString(sig)));
    }

    /**
     * Signs the events with one signature (schema version 2): the leaves are their {@link EventJson#signingBytes},
     * the signature covers the statement {@code flagledger/event-batch/v1 \n key_id \n size \n base64(root) \n} over
     * the RFC 6962 root of those leaves, and each event carries its index and inclusion path, so each verifies on
     * its own. Any existing signature is replaced.
     *
     * @param unsigned 1 to {@link EventSignature.Batch#MAX_SIZE} events
     * @return the signed events, in the same order
     * @throws IllegalArgumentException for an empty or too large batch, or an event that cannot be canonicalized
     */
    public List<AuditEvent> signBatch(List<AuditEvent> unsigned) {
        Objects.requireNonNull(unsigned, "events");
        int size = unsigned.size();
        if (size < 1 || size > EventSignature.Batch.MAX_SIZE) {
            throw new IllegalArgumentException("a batch holds 1 to " + EventSignature.Batch.MAX_SIZE
                    + " events, got " + size);
        }
        List<AuditEvent> events = new ArrayList<>(size);
        MemoryTree tree = new MemoryTree();
        for (AuditEvent e : unsigned) {
            AuditEvent v2 = Objects.requireNonNull(e, "event").withSchemaVersion(AuditEvent.SCHEMA_VERSION_BATCH);
            events.add(v2);
            tree.append(MerkleHash.leaf(EventJson.signingBytes(v2)));
        }
        String value = Base64.getEncoder().encodeToString(signRaw(BatchProofs.statement(keyId, size, tree.root())));
        Base64.Encoder base64 = Base64.getEncoder();
        List<AuditEvent> signed = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            List<String> path = tree.inclusionProof(i, size).stream().map(base64::encodeToString).toList();
            signed.add(events.get(i).withSignature(new EventSignature(keyId, EventSignature.ED25519_BATCH, value,
                    new EventSignature.Batch(size, i, path))));
        }
        return signed;
    }

    /** Raw 64-byte Ed25519 signature. */
    public byte[] signRaw(byte[] data) {
        return key.sign(data);
    }
}
