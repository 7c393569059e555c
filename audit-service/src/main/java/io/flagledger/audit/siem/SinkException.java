package io.flagledger.audit.siem;

/**
 * A sink could not take records. {@code rejectedIndex} >= 0 means the receiver refused that one record for good
 * (it goes to the dead-letter table); otherwise the failure is transient and the batch is retried with backoff.
 */
public class SinkException extends Exception {

    private final int rejectedIndex;

    private SinkException(String message, int rejectedIndex, Throwable cause) {
        super(message, cause, false, false);
        this.rejectedIndex = rejectedIndex;
    }

    public static SinkException transientFailure(String message, Throwable cause) {
        return new SinkException(message, -1, cause);
    }

    public static SinkException rejected(int index, String message) {
        return new SinkException(message, index, null);
    }

    public boolean isRejection() {
        return rejectedIndex >= 0;
    }

    public int rejectedIndex() {
        return rejectedIndex;
    }
}
