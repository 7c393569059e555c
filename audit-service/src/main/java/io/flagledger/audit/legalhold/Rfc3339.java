package io.flagledger.audit.legalhold;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A time in a request body: only an RFC 3339 string with offset (e.g. {@code 2026-04-04T10:00:00Z}), normalised to
 * UTC. Jackson's own deserializer also takes numbers as epoch seconds, so {@code 1e400} (or any number) would become
 * some far-off instant; here a number, like any other non-string, is a 400 naming the field.
 */
public final class Rfc3339 extends StdDeserializer<OffsetDateTime> {

    public Rfc3339() {
        super(OffsetDateTime.class);
    }

    @Override
    public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return (OffsetDateTime) ctxt.handleUnexpectedToken(OffsetDateTime.class, p);
        }
        String text = p.getText();
        try {
            return OffsetDateTime.parse(text.strip()).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return (OffsetDateTime) ctxt.handleWeirdStringValue(OffsetDateTime.class, text,
                    "not an RFC 3339 time with offset, e.g. 2026-04-04T10:00:00Z");
        }
    }
}
