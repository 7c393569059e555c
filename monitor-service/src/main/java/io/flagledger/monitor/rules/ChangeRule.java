package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.util.Optional;

/** A rule judged on each flag change as it arrives, against the recent history of that flag. */
public interface ChangeRule {

    String name();

    /** {@code history} already contains {@code change}. */
    Optional<Detection> evaluate(FlagChange change, ChangeHistory history);
}
