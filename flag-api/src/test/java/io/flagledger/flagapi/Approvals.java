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

    private Approvals() {
    }

    public static String token(String project, String flag, String environment, long baseVersion, JsonNode config) {
        return token(project, flag, environment, baseVersion, config, Instant.now().plus(Duration.ofMinutes(5)));
    }

    public static String token(String project, String flag, String environment, long baseVersion, JsonNode config,
                               Instant expiresAt) {
        ApprovalClaims claims = new ApprovalClaims("cr-" + UUID.randomUUID(), project, flag, environment, baseVersion,
                ApprovalClaims.changeHashOf(config), List.of("approver1-sub", "approver2-sub"),
                Instant.now().minusSeconds(1), expiresAt);
        return ApprovalTokens.issue(claims, SigningKeyResource.approvalSigner());
    }

    public static String segmentToken(String project, String segment, String environment, long baseVersion, JsonNode definition) {
        ApprovalClaims claims = ApprovalClaims.forSegment("cr-" + UUID.randomUUID(), project, segment, environment, baseVersion,
                ApprovalClaims.changeHashOf(definition), List.of("approver1-sub", "approver2-sub"),
                Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofMinutes(5)));
        return ApprovalTokens.issue(claims, SigningKeyResource.approvalSigner());
    }
}
