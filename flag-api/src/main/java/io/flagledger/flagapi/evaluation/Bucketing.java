package io.flagledger.flagapi.evaluation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Maps a context value to a bucket in [0, 100000): SHA-1 of {@code flagKey + "." + salt + "." + value}, first
 * 15 hex digits (60 bits) read as an integer and scaled. Same input, same bucket, on every replica and after
 * every restart; a new salt reshuffles a flag's audience.
 */
public final class Bucketing {

    private static final double SCALE = (double) 0xFFFFFFFFFFFFFFFL;

    private Bucketing() {
    }

    public static int bucket(String flagKey, String salt, String value) {
        byte[] digest = sha1((flagKey + "." + salt + "." + value).getBytes(StandardCharsets.UTF_8));
        long first60 = 0;
        for (int i = 0; i < 8; i++) {
            first60 = (first60 << 8) | (digest[i] & 0xff);
        }
        first60 >>>= 4; // 64 bits -> the first 15 hex digits
        return (int) Math.min(FlagModel.Rollout.TOTAL_WEIGHT - 1, (long) (first60 / SCALE * FlagModel.Rollout.TOTAL_WEIGHT));
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is mandatory in every JDK", e);
        }
    }
}
