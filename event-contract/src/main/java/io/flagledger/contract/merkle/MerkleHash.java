package io.flagledger.contract.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** RFC 6962 / RFC 9162 hashing with SHA-256: domain-separated leaves (0x00) and interior nodes (0x01). */
public final class MerkleHash {

    public static final int SIZE = 32;

    private static final byte[] EMPTY = digest().digest();

    private MerkleHash() {
    }

    /** MTH({}) = SHA-256 of the empty string. */
    public static byte[] emptyRoot() {
        return EMPTY.clone();
    }

    /** SHA-256(0x00 || entry). */
    public static byte[] leaf(byte[] entry) {
        MessageDigest d = digest();
        d.update((byte) 0x00);
        d.update(entry);
        return d.digest();
    }

    /** SHA-256(0x01 || left || right). */
    public static byte[] node(byte[] left, byte[] right) {
        MessageDigest d = digest();
        d.update((byte) 0x01);
        d.update(left);
        d.update(right);
        return d.digest();
    }

    private static MessageDigest digest() {
        try {
            // MessageDigest is not thread-safe, so each call takes its own.
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }
}
