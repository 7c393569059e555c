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
 * <p>
 * A flag-wide approval (archive, restore, a metadata change that weakens the policy) names {@code operation}; its
 * {@code environment} is {@link #ALL_ENVIRONMENTS}, {@code base_version} the flag's metadata version and
 * {@code change_sha256} covers the operation and the proposed metadata ({@link #operationHashOf}).
 * {@code requester} is who filed the request: flag-api refuses a token one of whose approvers is the requester.
 * {@code apply_window} is the policy's window for applying (e.g. {@code MON-FRI 09:00-17:00 Europe/Amsterdam},
 * {@link ApplyWindow}), absent when the policy has none: flag-api copies it into the event's approval scope, so the
 * monitor judges an approved change by the hours its approvers' policy allows, not by who pressed apply.
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
        @JsonInclude(JsonInclude.Include.NON_NULL) String segment,
        @JsonProperty("operation")
        @JsonInclude(JsonInclude.Include.NON_NULL) String operation,
        @JsonProperty("requester")
        @JsonInclude(JsonInclude.Include.NON_NULL) String requester,
        @JsonProperty("apply_window")
        @JsonInclude(JsonInclude.Include.NON_NULL) String applyWindow) {

    /** The {@code environment} of a flag-wide approval: the operation affects every environment of the flag. */
    public static final String ALL_ENVIRONMENTS = "*";
    public static final String ARCHIVE = "archive";
    public static final String RESTORE = "restore";
    public static final String METADATA = "metadata";

    public ApprovalClaims {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** Claims approving a flag's environment config. */
    public ApprovalClaims(String changeRequestId, String project, String flag, String environment, long baseVersion,
                          String changeSha256, List<String> approvers, Instant issuedAt, Instant expiresAt) {
        this(changeRequestId, project, flag, environment, baseVersion, changeSha256, approvers, issuedAt, expiresAt, null,
                null, null, null);
    }

    /**
     * Claims approving a flag-wide operation on top of the flag's metadata version; {@code changeSha256} is
     * {@link #operationHashOf} of the operation and its proposed metadata.
     */
    public static ApprovalClaims forOperation(String changeRequestId, String project, String flag, String operation,
                                              long metadataVersion, String changeSha256, List<String> approvers,
                                              Instant issuedAt, Instant expiresAt) {
        return new ApprovalClaims(changeRequestId, project, flag, ALL_ENVIRONMENTS, metadataVersion, changeSha256, approvers,
                issuedAt, expiresAt, null, operation, null, null);
    }

    /** The same claims naming who filed the change request. */
    public ApprovalClaims withRequester(String requesterId) {
        return new ApprovalClaims(changeRequestId, project, flag, environment, baseVersion, changeSha256, approvers, issuedAt,
                expiresAt, segment, operation, requesterId, applyWindow);
    }

    /** The same claims naming the policy's apply window ({@link ApplyWindow#toString()}), or none. */
    public ApprovalClaims withApplyWindow(String window) {
        return new ApprovalClaims(changeRequestId, project, flag, environment, baseVersion, changeSha256, approvers, issuedAt,
                expiresAt, segment, operation, requester, window);
    }

    /** Claims approving a segment definition in one environment. */
    public static ApprovalClaims forSegment(String changeRequestId, String project, String segment, String environment,
                                            long baseVersion, String changeSha256, List<String> approvers,
                                            Instant issuedAt, Instant expiresAt) {
        return new ApprovalClaims(changeRequestId, project, null, environment, baseVersion, changeSha256, approvers,
                issuedAt, expiresAt, segment, null, null, null);
    }

    /** SHA-256 (hex) of the RFC 8785 form of a proposed environment config: key order and spacing do not matter. */
    public static String changeHashOf(JsonNode proposedConfig) {
        // The same canonical hash serves segment definitions.
        return Hashing.sha256Hex(CanonicalJson.canonicalize(proposedConfig));
    }

    /**
     * The hash a flag-wide approval binds: {@code {"operation": ..., "metadata": ...}} in RFC 8785 form, the metadata
     * being the fields a metadata change sets (null for archive and restore).
     */
    public static String operationHashOf(String operation, JsonNode metadata) {
        com.fasterxml.jackson.databind.node.ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        body.put("operation", operation);
        if (metadata != null && !metadata.isNull()) {
            body.set("metadata", metadata);
        }
        return changeHashOf(body);
    }
}
