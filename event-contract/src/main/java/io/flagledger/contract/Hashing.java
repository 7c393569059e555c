package io.flagledger.contract;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** SHA-256 helpers. */
public final class Hashing {

    private Hashing() {
    }

    public static byte[] sha256(byte[] data) {
        Objects.requireNonNull(data, "data");
        try {
            // MessageDigest instances are not thread-safe, so take a fresh one per call.
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }

    /** Lowercase hex of the SHA-256 digest. */
    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256(data));
    }
}
