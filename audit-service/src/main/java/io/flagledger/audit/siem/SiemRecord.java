package io.flagledger.audit.siem;

import io.flagledger.contract.AuditEvent;
import java.time.OffsetDateTime;

/** One ledger entry on its way to a SIEM: the signed event, its canonical JSON, seq and arrival time. */
public record SiemRecord(long seq, OffsetDateTime receivedAt, AuditEvent event, String canonicalJson) {
}
