package io.flagledger.audit.archive;

import java.time.Instant;

/** Write-once object storage. An object, once written, is never replaced or deleted by the service. */
public interface ArchiveStore {

    /** Short name recorded in the archive index ({@code filesystem}, {@code s3}). */
    String name();

    /**
     * Writes {@code content} under {@code key} unless an object is already there. An existing identical object (a
     * retry after a crash between writing and indexing) is accepted; a different one is an {@link ArchiveConflictException}.
     *
     * @param retainUntil lock the object until then where the store supports it
     */
    void putOnce(String key, byte[] content, Instant retainUntil);

    /** The stored bytes, read back from the store (not from a cache). */
    byte[] read(String key);
}
