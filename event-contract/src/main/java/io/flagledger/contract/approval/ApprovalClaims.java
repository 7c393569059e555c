package io.flagledger.contract.approval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.EventTimestamps;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.flagledger.contract.Hashing;

import java.time.Instant;
import java.util.List;

/**
 * What approval-service vouches for when it applies an approved change request: exactly this proposed
 * environment config ({@code change_sha256}), for this flag and environment, on top of this base version.
 * flag-api refuses the write if any of these differ from the request it receives.
 */
public record ApprovalClaims(
        @JsonProperty("change_request_id") String changeRequestId,
        @JsonProperty("project") String project,
        @JsonProperty("flag") String flag,
        @JsonProperty("environment") String environment,
        @JsonProperty("base_version") long baseVersion,
        @JsonProperty("change_sha256") String changeSha256,
        @JsonProperty("approvers") List<String> approvers,
        @JsonProperty("issued_at")
        @JsonSerialize(using = EventTimestamps.Serializer.class)
        @JsonDeserialize(using = EventTimestamps.Deserializer.class) Instant issuedAt,
        @JsonProperty("expires_at")
        @JsonSerialize(using = EventTimestamps.Serializer.class)
        @JsonDeserialize(using = EventTimestamps.Deserializer.class) Instant expiresAt) {

    public ApprovalClaims {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** SHA-256 (hex) of the RFC 8785 form of a proposed environment config: key order and spacing do not matter. */
    public static String changeHashOf(JsonNode proposedConfig) {
        return Hashing.sha256Hex(CanonicalJson.canonicalize(proposedConfig));
    }
}
