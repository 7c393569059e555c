package io.flagledger.contract.note;

/** A signed note that cannot be trusted; {@link #failure()} says why. */
public class NoteVerificationException extends Exception {

    public enum Failure {
        /** Not a signed note at all: bad layout, bad signature line, bad encoding. */
        MALFORMED,
        /** Well formed, but no signature is by a key the verifier knows. */
        UNKNOWN_KEY,
        /** A signature by a known key does not match the text. */
        BAD_SIGNATURE
    }

    private final Failure failure;

    public NoteVerificationException(Failure failure, String detail) {
        super(detail);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
