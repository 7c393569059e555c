package io.flagledger.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The digit-by-digit paths of {@link EventTimestamps} give exactly what the formatters they stand in for give. */
class EventTimestampsTest {

    private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void formatSpellsWhatTheFormatterSpells() {
        SplittableRandom random = new SplittableRandom(13);
        List<Integer> nanos = List.of(0, 1, 10, 1_000, 123_456_000, 123_456_700, 123_456_780, 123_456_789, 999_999_999, 100_000_000);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(YEAR_0 - 86_400L * 800, YEAR_10000 + 86_400L * 800);
            int nano = i % 2 == 0 ? nanos.get(i % nanos.size()) : random.nextInt(1_000_000_000);
            Instant t = Instant.ofEpochSecond(seconds, nano);
            assertEquals(EventTimestamps.FORMAT.format(t), EventTimestamps.format(t), t::toString);
        }
        for (Instant t : List.of(Instant.EPOCH, Instant.ofEpochSecond(-1), Instant.ofEpochSecond(YEAR_0),
                Instant.ofEpochSecond(YEAR_0 - 1, 999_999_999), Instant.ofEpochSecond(YEAR_10000 - 1, 5),
                Instant.ofEpochSecond(YEAR_10000), Instant.parse("2024-02-29T23:59:59.999999Z"))) {
            assertEquals(EventTimestamps.FORMAT.format(t), EventTimestamps.format(t), t::toString);
        }
    }

    @Test
    void parseReadsWhatTheIsoFormatterReads() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(YEAR_0, YEAR_10000), random.nextInt(1_000_000_000));
            String text = EventTimestamps.format(t);
            assertEquals(t, EventTimestamps.parse(text), text);
            assertEquals(iso(text), EventTimestamps.parse(text), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-04-04T12:34:56.1Z", "2026-04-04T12:34:56.123456789Z", "0000-01-01T00:00:00.000000Z",
            "9999-12-31T23:59:59.999999999Z", "2024-02-29T00:00:00.000000Z", "2026-04-04T14:34:56.5+02:00",
            "2026-04-04T12:34:56Z", "2026-04-04t12:34:56.123456z", "2026-01-01T23:59:59.Z"})
    void acceptedFormsAgreeWithTheIsoFormatter(String text) {
        assertEquals(iso(text), EventTimestamps.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-29T00:00:00.000000Z", "2026-04-31T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z",
            "2026-00-01T00:00:00.000000Z", "2026-01-00T00:00:00.000000Z", "2026-01-01T24:00:00.000000Z",
            "2026-01-01T23:60:00.000000Z", "2026-01-01T23:59:60.000000Z", "2026-01-01T23:59:59.1234567890Z",
            "2026-01-01T23:59:59.12345aZ", "2026-01-01 23:59:59.123456Z",
            "2026-1-01T23:59:59.123456Z", "2026-01-01T23:59:59.123456"})
    void refusedFormsAreRefusedAsTheIsoFormatterRefusesThem(String text) {
        assertThrows(DateTimeParseException.class, () -> iso(text));
        assertThrows(DateTimeParseException.class, () -> EventTimestamps.parse(text));
    }

    private static Instant iso(String text) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
    }
}
