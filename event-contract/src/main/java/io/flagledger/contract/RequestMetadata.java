package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a change request came from. All fields optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestMetadata(
        @JsonProperty("user_agent") String userAgent,
        @JsonProperty("client_address") String clientAddress,
        @JsonProperty("channel") Channel channel) {
}
