package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Detached signature carried inside an event.
 *
 * @param keyId     identifies the public key a verifier must use
 * @param algorithm always {@value #ED25519} for schema version 1
 * @param value     standard base64 of the raw 64-byte Ed25519 signature over {@link EventJson#signingBytes}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventSignature(
        @JsonProperty("key_id") String keyId,
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("value") String value) {

    public static final String ED25519 = "Ed25519";
}
