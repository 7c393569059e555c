package io.flagledger.monitor.revert;

/** What became of a revert the rules asked for. */
public enum RevertOutcome {
    /** flag-api committed the previous configuration. */
    REVERTED("monitor.revert.committed"),
    /** The flag changed after the suspect change (If-Match failed): a person or a newer change owns it now. */
    SKIPPED_CHANGED_SINCE("monitor.revert.skipped"),
    /** This flag and environment were already reverted within the revert window. */
    SKIPPED_RATE_LIMITED("monitor.revert.skipped"),
    /** The suspect is itself a revert: reverting it would start a loop. */
    SKIPPED_REVERT_OF_REVERT("monitor.revert.skipped"),
    /**
     * The suspect is a break-glass change (a kill switch turned off without approval): the emergency brake is
     * released by people, never by a rule, however the error rate moves during the incident.
     */
    SKIPPED_BREAK_GLASS("monitor.revert.skipped"),
    /** The suspect has no previous environment state (e.g. flag creation). */
    SKIPPED_NOTHING_TO_RESTORE("monitor.revert.skipped"),
    /** Dry-run mode: the monitor only alerts. */
    DRY_RUN("monitor.revert.skipped"),
    /** flag-api refused or could not be reached. */
    FAILED("monitor.revert.failed");

    private final String action;

    RevertOutcome(String action) {
        this.action = action;
    }

    /** The action of the monitor.actions event that records this outcome. */
    public String action() {
        return action;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
