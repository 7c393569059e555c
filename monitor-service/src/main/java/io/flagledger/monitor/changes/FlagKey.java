package io.flagledger.monitor.changes;

/** One flag in one environment: the unit the monitor watches, reverts and rate-limits. */
public record FlagKey(String project, String flag, String environment) {

    @Override
    public String toString() {
        return project + "/" + flag + "/" + environment;
    }
}
