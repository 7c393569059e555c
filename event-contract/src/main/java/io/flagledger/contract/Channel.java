package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Entry point through which a change was requested. */
public enum Channel {
    @JsonProperty("api") API,
    @JsonProperty("console") CONSOLE,
    @JsonProperty("ci") CI,
    @JsonProperty("automation") AUTOMATION
}
