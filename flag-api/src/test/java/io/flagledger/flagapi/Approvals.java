package io.flagledger.flagapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.testsupport.signing.SigningKeyResource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Approval tokens as approval-service issues them, signed with the test run's approval key. */
public final class Approvals {

    /** Who filed the change requests of these tokens: neither an approver nor a test user who applies them. */
    public static final String REQUESTER = "requester-of-the-change";
    public static final List<String> TWO_APPROVERS = List.of("approver1-sub", "approver2-sub");
    /** The policy's apply window approval-service puts in the token (flag-api copies it into the event). */
    public static final String APPLY_WINDOW = "MON-SUN 00:00-23:59 Europe/Amsterdam";

    private Approvals() {
    }

    public static String token(String project, String flag, String environment, long baseVersion, JsonNode config) {
        return token(project, flag, environment, baseVersion, config, Instant.now().plus(Duration.ofMinutes(5)));
    }

    public static String token(String project, String flag, String environment, long baseVersion, JsonNode config,
                               Instant expiresAt) {
        ApprovalClaims claims = new ApprovalClaims("cr-" + UUID.randomUUID(), project, flag, environment, baseVersion,
                ApprovalClaims.changeHashOf(config), TWO_APPROVERS,
                Instant.now().minusSeconds(1), expiresAt).withRequester(REQUESTER).withApplyWindow(APPLY_WINDOW);
        return issue(claims);
    }

    public static String segmentToken(String project, String segment, String environment, long baseVersion, JsonNode definition) {
        ApprovalClaims claims = ApprovalClaims.forSegment("cr-" + UUID.randomUUID(), project, segment, environment, baseVersion,
                ApprovalClaims.changeHashOf(definition), TWO_APPROVERS,
                Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofMinutes(5))).withRequester(REQUESTER);
        return issue(claims);
    }

    /** A token for a flag-wide operation (archive, restore, metadata) at the flag's metadata version. */
    public static String operationToken(String project, String flag, String operation, long metadataVersion, JsonNode metadata) {
        return issue(operationClaims(project, flag, operation, metadataVersion, metadata, TWO_APPROVERS, REQUESTER));
    }

    public static ApprovalClaims operationClaims(String project, String flag, String operation, long metadataVersion,
                                                 JsonNode metadata, List<String> approvers, String requester) {
        return ApprovalClaims.forOperation("cr-" + UUID.randomUUID(), project, flag, operation, metadataVersion,
                ApprovalClaims.operationHashOf(operation, metadata), approvers, Instant.now().minusSeconds(1),
                Instant.now().plus(Duration.ofMinutes(5))).withRequester(requester);
    }

    public static String issue(ApprovalClaims claims) {
        return ApprovalTokens.issue(claims, SigningKeyResource.approvalSigner());
    }
}
