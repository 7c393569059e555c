package io.flagledger.approval.requests;

import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.contract.diff.SegmentDiff;
import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.approval.policy.Policy;
import io.flagledger.contract.approval.ApprovalClaims;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored change request: the proposal, the state it was made against, and the policy it must satisfy.
 * It targets either a flag's environment config ({@code flag}) or a segment's definition ({@code segment}), never
 * both; for a segment {@code previousConfig}/{@code proposedConfig} hold definitions and {@code risk} is null.
 * A flag-wide operation (archive, restore, metadata; see {@link FlagOperation}) has environment
 * {@link ApprovalClaims#ALL_ENVIRONMENTS}, the flag's metadata version as base and its metadata as previous state.
 */
public record ChangeRequest(UUID id, String project, String flag, String segment, String environment, long baseVersion,
                            JsonNode previousConfig, JsonNode proposedConfig, String changeSha256, String risk,
                            String reason, String correlationId, String requesterId, String requesterName,
                            State state, int revision, Policy policy, boolean applyRequested, int applyAttempts,
                            Instant nextApplyAt, String lastApplyError, Long appliedVersion,
                            Instant createdAt, Instant updatedAt, FrozenBy frozenBy) {

    public ChangeRequest withState(State next, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, baseVersion, previousConfig, proposedConfig, changeSha256,
                risk, reason, correlationId, requesterId, requesterName, next, revision, policy, applyRequested,
                applyAttempts, nextApplyAt, lastApplyError, appliedVersion, createdAt, now, next == State.APPROVED ? frozenBy : null);
    }

    /** A new proposal (edit or rebase): a new revision, so every earlier approval stops counting. */
    public ChangeRequest withProposal(long base, JsonNode previous, JsonNode proposed, String sha, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, base, previous, proposed, sha, risk, reason, correlationId,
                requesterId, requesterName, State.PENDING, revision + 1, policy, false, applyAttempts, null, null, null,
                createdAt, now, null);
    }

    public ChangeRequest withApplyDue(boolean requested, Instant due, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, baseVersion, previousConfig, proposedConfig, changeSha256,
                risk, reason, correlationId, requesterId, requesterName, state, revision, policy, requested,
                applyAttempts, due, lastApplyError, appliedVersion, createdAt, now, frozenBy);
    }

    public ChangeRequest withAttempt(int attempts, Instant due, String error, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, baseVersion, previousConfig, proposedConfig, changeSha256,
                risk, reason, correlationId, requesterId, requesterName, state, revision, policy, applyRequested,
                attempts, due, error, appliedVersion, createdAt, now, frozenBy);
    }

    /** The apply met a freeze ({@code freeze}, or null once it no longer does); the request stays approved. */
    public ChangeRequest withFrozenBy(FrozenBy freeze, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, baseVersion, previousConfig, proposedConfig, changeSha256,
                risk, reason, correlationId, requesterId, requesterName, state, revision, policy, applyRequested,
                applyAttempts, nextApplyAt, lastApplyError, appliedVersion, createdAt, now, freeze);
    }

    public ChangeRequest applied(long version, Instant now) {
        return new ChangeRequest(id, project, flag, segment, environment, baseVersion, previousConfig, proposedConfig, changeSha256,
                risk, reason, correlationId, requesterId, requesterName, State.APPLIED, revision, policy, applyRequested,
                applyAttempts, null, null, version, createdAt, now, null);
    }

    public boolean isSegment() {
        return segment != null;
    }

    /** A flag-wide operation rather than one environment's config. */
    public boolean isOperation() {
        return ApprovalClaims.ALL_ENVIRONMENTS.equals(environment);
    }

    /** {@code archive}, {@code restore} or {@code metadata}; null for config and segment requests. */
    public String operation() {
        return isOperation() ? proposedConfig.path("operation").asText() : null;
    }

    /** {@code flag} or {@code segment}: what the request changes. */
    public String target() {
        return isSegment() ? "segment" : "flag";
    }

    /** The flag key or the segment key. */
    public String targetKey() {
        return isSegment() ? segment : flag;
    }

    /** How people read the target, e.g. {@code segment shop/beta-users}. */
    public String targetLabel() {
        return target() + " " + project + "/" + targetKey();
    }

    /** What changes between the state the request was based on and the proposal. */
    public List<ConfigDiff.Line> diff() {
        return diffFrom(previousConfig);
    }

    /** What the proposal would still change on a target now in {@code current} (empty: nothing, e.g. applied). */
    public List<ConfigDiff.Line> diffFrom(JsonNode current) {
        return isOperation() ? FlagOperation.diff(current, proposedConfig) : diff(isSegment(), current, proposedConfig);
    }

    /** Segments are compared as sets of members; flag configs by rule, target and variation ids. */
    public static List<ConfigDiff.Line> diff(boolean segment, JsonNode before, JsonNode after) {
        return segment ? SegmentDiff.between(before, after) : ConfigDiff.between(before, after);
    }
}
