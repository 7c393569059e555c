package io.flagledger.contract;

/** Thrown when bytes cannot be read as an {@link AuditEvent}. */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
