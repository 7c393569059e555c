package io.flagledger.approval.requests;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Life cycle of a change request. {@code failed}: flag-api refused the approved change for good (e.g. invalid). */
public enum State {
    PENDING, APPROVED, APPLIED, REJECTED, WITHDRAWN, EXPIRED, SUPERSEDED, FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static State of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
