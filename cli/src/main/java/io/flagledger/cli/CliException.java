package io.flagledger.cli;

/** A failure the user is told about in one line, with the exit code CI branches on (see {@link ExitCodes}). */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
