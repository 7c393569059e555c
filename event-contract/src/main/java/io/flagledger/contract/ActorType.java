package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Kind of principal that caused an audit event. */
public enum ActorType {
    @JsonProperty("user") USER,
    @JsonProperty("service") SERVICE
}
