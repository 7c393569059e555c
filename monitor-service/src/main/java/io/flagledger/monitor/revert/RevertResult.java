package io.flagledger.monitor.revert;

import java.time.Instant;

/** The outcome of one revert decision; {@code revertedToVersion} is flag-api's new version after a revert. */
public record RevertResult(RevertOutcome outcome, String detail, Integer httpStatus, Long revertedToVersion, Instant at) {
}
