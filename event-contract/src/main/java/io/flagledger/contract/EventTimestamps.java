package io.flagledger.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * The one textual form of {@link AuditEvent#timestamp()}: UTC with 'Z' and at least six fraction digits
 * (e.g. {@code 2026-04-04T12:34:56.123456Z}). Bound to the record by annotation, so any ObjectMapper that
 * serializes an event (for instance a Quarkus REST layer) produces the same, signable text.
 */
public final class EventTimestamps {

    static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 6, 9, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private EventTimestamps() {
    }

    /**
     * The one textual form. Years 0000-9999 are spelled out digit by digit (a DateTimeFormatter costs microseconds,
     * paid twice per event by every verifier); others go through {@link #FORMAT}, which defines the form.
     */
    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
        if (date.getYear() < 0 || date.getYear() > 9999) {
            return FORMAT.format(instant);
        }
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        int nano = instant.getNano();
        int fractionDigits = 9;
        for (int n = nano; fractionDigits > 6 && n % 10 == 0; n /= 10) {
            fractionDigits--;
        }
        char[] out = new char[21 + fractionDigits];
        digits(out, 0, date.getYear(), 4);
        out[4] = '-';
        digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, secondOfDay % 60, 2);
        out[19] = '.';
        digits(out, 20, nano / POWERS_OF_TEN[9 - fractionDigits], fractionDigits);
        out[20 + fractionDigits] = 'Z';
        return new String(out);
    }

    /**
     * Parses ISO-8601 with an offset, as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}. The form {@link #format}
     * writes ({@code uuuu-MM-ddTHH:mm:ss.f...Z}, 1 to 9 fraction digits) is read digit by digit; anything else, and
     * any value out of range, goes to the formatter, whose verdict stands.
     *
     * @throws DateTimeParseException as the formatter
     */
    static Instant parse(String text) {
        Instant fast = parseUtc(text);
        return fast != null ? fast : DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
    }

    private static Instant parseUtc(String t) {
        int n = t.length();
        if (n < 22 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(19) != '.' || t.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = number(t, 0, 4);
        int month = number(t, 5, 2);
        int day = number(t, 8, 2);
        int hour = number(t, 11, 2);
        int minute = number(t, 14, 2);
        int second = number(t, 17, 2);
        int fraction = number(t, 20, n - 21);
        if ((year | month | day | hour | minute | second | fraction) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3600L + minute * 60L + second,
                (long) fraction * POWERS_OF_TEN[9 - (n - 21)]);
    }

    /** The non-negative decimal of {@code length} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int number(String t, int from, int length) {
        int v = 0;
        for (int i = from; i < from + length; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    public static final class Serializer extends StdScalarSerializer<Instant> {
        public Serializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format(value));
        }
    }

    /** Accepts ISO-8601 strings only; epoch numbers are ambiguous about their unit, so they are refused. */
    public static final class Deserializer extends StdScalarDeserializer<Instant> {
        public Deserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p.currentToken(), p,
                        "timestamp must be an ISO-8601 string such as 2026-04-04T12:34:56.123456Z");
            }
            String text = p.getText();
            try {
                return parse(text);
            } catch (DateTimeParseException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text,
                        "timestamp must be ISO-8601 with offset, e.g. 2026-04-04T12:34:56.123456Z");
            }
        }
    }
}
