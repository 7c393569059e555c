package io.flagledger.audit.selfcheck;

import java.time.Instant;
import java.util.List;

/** The outcome of one self-check: every problem found, by sequence number or checkpoint size. */
public record SelfCheckReport(boolean healthy, long ledgerSize, int checkpointsChecked, List<String> problems,
                              Instant checkedAt) {
}
