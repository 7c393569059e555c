package io.flagledger.verifier;

/**
 * One thing wrong with a bundle: {@code where} (a file, or {@code seq N} for a ledger entry), {@code check}
 * (which check failed) and what exactly was found.
 */
public record Problem(String where, String check, String detail) {

    @Override
    public String toString() {
        return where + ": " + check + ": " + detail;
    }
}
