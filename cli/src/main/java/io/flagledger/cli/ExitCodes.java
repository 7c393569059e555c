package io.flagledger.cli;

/** What CI branches on: 0 nothing to report, 1 findings (drift, a failed verification, a rejection), 2 could not run. */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int FINDINGS = 1;
    public static final int ERROR = 2;

    private ExitCodes() {
    }
}
