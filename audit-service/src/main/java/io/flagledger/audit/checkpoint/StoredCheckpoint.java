package io.flagledger.audit.checkpoint;

import java.time.OffsetDateTime;

/** A checkpoint row: the signed note plus the columns it was made from (which the self-check compares). */
public record StoredCheckpoint(long treeSize, byte[] rootHash, String origin, String keyName, String note,
                               OffsetDateTime signedAt) {
}
