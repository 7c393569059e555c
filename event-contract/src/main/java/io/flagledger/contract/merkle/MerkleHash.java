package io.flagledger.contract.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** RFC 6962 / RFC 9162 hashing with SHA-256: domain-separated leaves (0x00) and interior nodes (0x01). */
public final class MerkleHash {

    public static final int SIZE = 32;

    private static final byte[] EMPTY = digest().digest();
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(MerkleHash::digest);

    private MerkleHash() {
    }

    /** MTH({}) = SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return EMPTY.clone();
    }

    /** SHA-256(0x00 || entry). */
    public static byte[] leaf(byte[] entry) {
        MessageDigest d = reused();
        d.update((byte) 0x00);
        d.update(entry);
        return d.digest();
    }

    /** SHA-256(0x01 || left || right). */
    public static byte[] node(byte[] left, byte[] right) {
        MessageDigest d = reused();
        d.update((byte) 0x01);
        d.update(left);
        d.update(right);
        return d.digest();
    }

    /**
     * This thread's digest, reset: a verifier hashes several leaves and nodes per entry, and a provider look-up and a
     * new digest for each weigh on hashing 65 bytes. Reset first, as a call that failed half-way may have left input.
     */
    private static MessageDigest reused() {
        MessageDigest d = DIGEST.get();
        d.reset();
        return d;
    }

    private static MessageDigest digest() {
        try {
            // MessageDigest is not thread-safe: one per thread.
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }
}
