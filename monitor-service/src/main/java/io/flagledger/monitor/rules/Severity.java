package io.flagledger.monitor.rules;

/** Alert severity; P1 pages someone, which is why a revert (done or failed) is always P1. */
public enum Severity {
    P1, P2, P3;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
