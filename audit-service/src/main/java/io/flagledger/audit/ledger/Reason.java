package io.flagledger.audit.ledger;

import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;

/**
 * The one form of a refusal reason that audit-service stores, logs and puts into alerts. A reason may quote the bad
 * value itself (a NUL, a lone surrogate, a forged log line), so it is escaped with {@link SafeText#escape} and cut to
 * what the contract lets an alert's {@code reason} carry (and {@code quarantined_event.reason} hold), at a code point
 * boundary: an alert about a bad record must never be a bad record itself.
 */
public final class Reason {

    public static final int MAX_LENGTH = EventValidator.MAX_REASON_LENGTH;

    private Reason() {
    }

    public static String safe(String raw) {
        String escaped = SafeText.escape(raw == null || raw.isBlank() ? "no reason given" : raw);
        if (escaped.codePointCount(0, escaped.length()) <= MAX_LENGTH) {
            return escaped;
        }
        return escaped.substring(0, escaped.offsetByCodePoints(0, MAX_LENGTH - 3)) + "...";
    }
}
