package io.flagledger.contract;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * RFC 9562 version 7 UUIDs: 48-bit Unix milliseconds, then a 12-bit counter in {@code rand_a}
 * (RFC 9562 §6.2 method 1), then 62 random bits.
 *
 * <p>Ids are strictly increasing within one JVM: the (millisecond, counter) pair is treated as one
 * 60-bit number that never goes backwards, even if the wall clock does or more than 4096 ids are
 * requested in one millisecond (the timestamp then runs slightly ahead of the clock).
 */
public final class UuidV7 {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COUNTER_BITS = 12;
    private static long last = -1; // (millis << 12) | counter of the previous id; guarded by UuidV7.class

    private UuidV7() {
    }

    public static UUID next() {
        long stamp = nextStamp();
        long millis = stamp >>> COUNTER_BITS;
        long counter = stamp & 0xFFF;
        long msb = (millis << 16) | 0x7000L | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    public static String nextString() {
        return next().toString();
    }

    /** Creation time embedded in a v7 UUID (millisecond precision). */
    public static Instant timestampOf(UUID v7) {
        Objects.requireNonNull(v7, "uuid");
        if (v7.version() != 7) {
            throw new IllegalArgumentException("not a version 7 UUID: " + v7 + " (version " + v7.version() + ")");
        }
        return Instant.ofEpochMilli(v7.getMostSignificantBits() >>> 16);
    }

    private static synchronized long nextStamp() {
        // A fresh millisecond starts the counter at a random value below 2048 (RFC 9562 §6.2 guidance),
        // leaving headroom so bursts rarely spill into the next millisecond.
        long fresh = (System.currentTimeMillis() << COUNTER_BITS) | RANDOM.nextInt(1 << (COUNTER_BITS - 1));
        last = Math.max(fresh, last + 1);
        return last;
    }
}
