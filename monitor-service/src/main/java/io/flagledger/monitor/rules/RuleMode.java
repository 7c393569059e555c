package io.flagledger.monitor.rules;

/** What a rule may do when it fires. */
public enum RuleMode {
    OFF, ALERT, REVERT
}
