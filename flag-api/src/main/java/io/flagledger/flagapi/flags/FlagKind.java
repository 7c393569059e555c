package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a flag exists; release and experiment flags are temporary and must expire. */
public enum FlagKind {
    @JsonProperty("release") RELEASE,
    @JsonProperty("experiment") EXPERIMENT,
    @JsonProperty("kill-switch") KILL_SWITCH,
    @JsonProperty("ops") OPS,
    @JsonProperty("permission") PERMISSION;

    public boolean isTemporary() {
        return this == RELEASE || this == EXPERIMENT;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static FlagKind fromWire(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
