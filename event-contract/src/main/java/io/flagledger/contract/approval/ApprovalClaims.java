package io.flagledger.contract.approval;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * <p>
 * A segment approval names {@code segment} instead of {@code flag}; {@code change_sha256} then covers the proposed
 * segment definition and {@code base_version} the segment's version (0 for a segment that does not exist yet).
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
        @JsonDeserialize(using = EventTimestamps.Deserializer.class) Instant expiresAt,
        @JsonProperty("segment")
        @JsonInclude(JsonInclude.Include.NON_NULL) String segment) {

    public ApprovalClaims {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** Claims approving a flag's environment config. */
    public ApprovalClaims(String changeRequestId, String project, String flag, String environment, long baseVersion,
                          String changeSha256, List<String> approvers, Instant issuedAt, Instant expiresAt) {
        this(changeRequestId, project, flag, environment, baseVersion, changeSha256, approvers, issuedAt, expiresAt, null);
    }

    /** Claims approving a segment definition in one environment. */
    public static ApprovalClaims forSegment(String changeRequestId, String project, String segment, String environment,
                                            long baseVersion, String changeSha256, List<String> approvers,
                                            Instant issuedAt, Instant expiresAt) {
        return new ApprovalClaims(changeRequestId, project, null, environment, baseVersion, changeSha256, approvers,
                issuedAt, expiresAt, segment);
    }

    /** SHA-256 (hex) of the RFC 8785 form of a proposed environment config: key order and spacing do not matter. */
    public static String changeHashOf(JsonNode proposedConfig) {
        // The same canonical hash serves segment definitions.
        return Hashing.sha256Hex(CanonicalJson.canonicalize(proposedConfig));
    }
}
