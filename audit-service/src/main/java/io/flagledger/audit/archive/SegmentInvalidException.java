package io.flagledger.audit.archive;

/** An archived object failed verification; the message names the check. */
public class SegmentInvalidException extends RuntimeException {

    public SegmentInvalidException(String message) {
        super(message, null, false, false);
    }
}
