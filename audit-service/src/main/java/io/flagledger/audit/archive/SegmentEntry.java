package io.flagledger.audit.archive;

import java.time.OffsetDateTime;

/** One ledger entry as archived: the canonical event bytes exactly as hashed, with where and when it arrived. */
public record SegmentEntry(long seq, String canonicalJson, byte[] leafHash, OffsetDateTime receivedAt, String source) {
}
