package io.flagledger.contract.approval;

/** An approval token that must not be honoured; the message says which check failed. */
public final class ApprovalTokenException extends Exception {
    public ApprovalTokenException(String message) {
        super(message);
    }
}
