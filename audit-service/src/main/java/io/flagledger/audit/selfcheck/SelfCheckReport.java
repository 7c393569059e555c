package io.flagledger.audit.selfcheck;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one self-check: every problem found, by sequence number or checkpoint size. {@code scope} is
 * {@code full} or {@code incremental}; an incremental run read the entries {@code verifiedFrom + 1 .. ledgerSize}
 * and took the first {@code verifiedFrom} as verified by an earlier run (0 for a full scan).
 */
public record SelfCheckReport(boolean healthy, String scope, long verifiedFrom, long ledgerSize, int checkpointsChecked,
                              List<String> problems, Instant checkedAt) {
}
