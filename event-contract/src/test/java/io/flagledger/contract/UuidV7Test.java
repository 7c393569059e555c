package io.flagledger.contract;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UuidV7Test {

    @Test
    void versionAndVariantBits() {
        UUID id = UuidV7.next();
        assertEquals(7, id.version());
        assertEquals(2, id.variant()); // IETF variant, binary 10
        String s = UuidV7.nextString();
        assertEquals('7', s.charAt(14));
        assertTrue("89ab".indexOf(s.charAt(19)) >= 0, s);
    }

    @Test
    void strictlyIncreasingForTenThousandCalls() {
        String previous = UuidV7.nextString();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String current = UuidV7.nextString();
            // Lexicographic order of the text form is what databases and log readers rely on.
            assertTrue(current.compareTo(previous) > 0, previous + " then " + current);
            assertTrue(seen.add(current));
            previous = current;
        }
    }

    @Test
    void timestampIsCloseToNow() {
        Instant before = Instant.now();
        Instant ts = UuidV7.timestampOf(UuidV7.next());
        Duration skew = Duration.between(before, ts).abs();
        assertTrue(skew.toMillis() < 2_000, "skew " + skew);
    }

    @Test
    void timestampOfRejectsOtherVersions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UuidV7.timestampOf(UUID.randomUUID()));
        assertTrue(e.getMessage().contains("version 4"), e.getMessage());
    }
}
