package io.flagledger.contract;

/** Checked on purpose: callers must decide what an unverifiable event means for them. */
public class SignatureVerificationException extends Exception {

    public SignatureVerificationException(String reason) {
        super(reason);
    }

    public SignatureVerificationException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
