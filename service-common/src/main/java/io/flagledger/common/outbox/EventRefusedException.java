package io.flagledger.common.outbox;

import io.flagledger.contract.EventValidator;
import java.util.List;

/**
 * A change whose signed event the event contract refuses ({@link EventValidator}): the change must not take effect,
 * because its event could never reach the ledger. Thrown by {@link OutboxRecord} before the row is written, inside
 * the caller's transaction, so the transaction rolls back; {@code ProblemMappers} answers 400 naming the fields, or
 * 413 when the event's size is the only problem. Seeing it means a service accepted input its own validation should
 * have refused: it is a client error to the caller and a bug report to the service's owners.
 */
public class EventRefusedException extends RuntimeException {

    private final List<String> violations;
    private final boolean sizeOnly;

    public EventRefusedException(List<String> violations, int canonicalBytes) {
        super("the change's audit event breaks the event contract: " + String.join("; ", violations), null, false, false);
        this.violations = List.copyOf(violations);
        this.sizeOnly = canonicalBytes > EventValidator.MAX_EVENT_BYTES && violations.size() == 1;
    }

    /** The validator's messages, each starting with the JSON field ({@code reason: ...}). */
    public List<String> violations() {
        return violations;
    }

    /** 413 when only the size is over {@link EventValidator#MAX_EVENT_BYTES}, else 400. */
    public int status() {
        return sizeOnly ? 413 : 400;
    }
}
