package io.flagledger.audit.archive;

/** An object already exists under the key with different content: never overwritten, reported as critical. */
public class ArchiveConflictException extends RuntimeException {

    public ArchiveConflictException(String message) {
        super(message);
    }
}
