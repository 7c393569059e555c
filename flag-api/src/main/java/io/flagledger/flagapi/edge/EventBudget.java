package io.flagledger.flagapi.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.common.problem.Problem;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.EventValidator;
import java.util.ArrayList;
import java.util.List;

/**
 * How large the states a change records may be, measured as canonical JSON (numbers expand there: {@code 1e20} is
 * 21 bytes), so that the largest event stays under {@link EventValidator#MAX_EVENT_BYTES} with margin. The arithmetic
 * is in docs/flag-api-limits.md. Checked after parsing and before anything is written; over budget is a 413 naming
 * the field.
 */
public final class EventBudget {

    /** A whole flag as flag-level events record it (metadata, variations, every environment's configuration). */
    public static final int FLAG_BYTES = 192 * 1024;
    /** A flag's variations together (at most 20 of them). */
    public static final int VARIATIONS_BYTES = 32 * 1024;
    /** Name, description, owner, tags and the other metadata of a flag at their validated maxima (about 15.1 KiB), rounded up. */
    static final int METADATA_BYTES = 16 * 1024;
    /** What wraps one environment's configuration in a flag (name, enabled, version, protected), rounded up. */
    static final int ENVIRONMENT_WRAPPER_BYTES = 1024;
    /** One segment definition. */
    public static final int SEGMENT_BYTES = 192 * 1024;

    private EventBudget() {
    }

    /**
     * One environment's targeting configuration, so that a flag at every maximum stays within {@link #FLAG_BYTES}
     * whatever the number of environments (47 KiB for three).
     */
    public static int environmentConfigBytes(int environments) {
        return (FLAG_BYTES - METADATA_BYTES - VARIATIONS_BYTES) / Math.max(1, environments) - ENVIRONMENT_WRAPPER_BYTES;
    }

    /** Refuses {@code state} (what the request named {@code field}) when its canonical form exceeds {@code budget} bytes. */
    public static void require(String field, JsonNode state, int budget) {
        int bytes = CanonicalJson.canonicalize(state).length;
        if (bytes > budget) {
            throw new RefusedInputException(413, "The change is too large to be recorded",
                    List.of(new Problem.FieldError(field, "is " + bytes + " bytes as canonical JSON, more than " + budget)));
        }
    }

    /**
     * The last check before an event is signed and written: every violation of the event contract, by event field
     * (a 400 in the transaction of the change, so the change is rolled back with it). Signature fields are left out:
     * the event is not signed yet.
     */
    public static void requireValid(AuditEvent unsigned) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String violation : EventValidator.violations(unsigned)) {
            if (violation.startsWith("signature")) {
                continue;
            }
            int colon = violation.indexOf(": ");
            errors.add(colon < 0 ? new Problem.FieldError("event", violation)
                    : new Problem.FieldError(violation.substring(0, colon), violation.substring(colon + 2)));
        }
        if (!errors.isEmpty()) {
            throw new RefusedInputException(400, "The change cannot be recorded: " + errors.size() + " field(s) rejected", errors);
        }
    }

    /** The signed event as written: over {@link EventValidator#MAX_EVENT_BYTES} is a 413. */
    public static void requireSendable(int canonicalBytes) {
        if (canonicalBytes > EventValidator.MAX_EVENT_BYTES) {
            throw new RefusedInputException(413, "The change is too large to be recorded", List.of(new Problem.FieldError("event",
                    "its canonical JSON is " + canonicalBytes + " bytes, more than " + EventValidator.MAX_EVENT_BYTES)));
        }
    }
}
