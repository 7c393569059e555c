package io.flagledger.contract.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApprovalTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final KeyPair keys = Ed25519Keys.generate();
    private final EventSigner signer = new EventSigner("approval-1", keys.getPrivate());
    private final Map<String, PublicKey> trusted = Map.of("approval-1", keys.getPublic());

    private JsonNode config() throws Exception {
        return JSON.readTree("{\"on\":true,\"fallthrough\":{\"variation\":\"on\"}}");
    }

    private ApprovalClaims claims() throws Exception {
        return new ApprovalClaims("cr-1", "shop", "new-checkout", "production", 3,
                ApprovalClaims.changeHashOf(config()), List.of("approver1", "approver2"),
                NOW.minusSeconds(5), NOW.plusSeconds(300));
    }

    @Test
    void roundTripsAndMatchesTheApprovedWrite() throws Exception {
        String token = ApprovalTokens.issue(claims(), signer);
        ApprovalClaims verified = ApprovalTokens.verify(token, trusted, NOW);
        assertEquals(claims(), verified);
        // Same config with other key order and spacing is the same change.
        ApprovalTokens.requireMatches(verified, "shop", "new-checkout", "production", 3,
                JSON.readTree("{ \"fallthrough\": {\"variation\":\"on\"}, \"on\": true }"));
    }

    @Test
    void refusesAnyOtherWrite() throws Exception {
        ApprovalClaims c = ApprovalTokens.verify(ApprovalTokens.issue(claims(), signer), trusted, NOW);
        refused(() -> ApprovalTokens.requireMatches(c, "shop", "other", "production", 3, config()), "flag");
        refused(() -> ApprovalTokens.requireMatches(c, "shop", "new-checkout", "staging", 3, config()), "environment");
        refused(() -> ApprovalTokens.requireMatches(c, "shop", "new-checkout", "production", 4, config()), "base version 3");
        refused(() -> ApprovalTokens.requireMatches(c, "shop", "new-checkout", "production", 3,
                JSON.readTree("{\"on\":false}")), "change_sha256");
    }

    @Test
    void segmentApprovalsApproveOnlyThatSegmentAndNeverAFlag() throws Exception {
        JsonNode definition = JSON.readTree("{\"included\":[\"u-1\"],\"excluded\":[],\"rules\":[]}");
        ApprovalClaims segment = ApprovalClaims.forSegment("cr-2", "shop", "beta-users", "production", 0,
                ApprovalClaims.changeHashOf(definition), List.of("approver1", "approver2"), NOW.minusSeconds(5), NOW.plusSeconds(300));
        ApprovalClaims verified = ApprovalTokens.verify(ApprovalTokens.issue(segment, signer), trusted, NOW);
        assertEquals(segment, verified);
        ApprovalTokens.requireMatchesSegment(verified, "shop", "beta-users", "production", 0, definition);
        refused(() -> ApprovalTokens.requireMatchesSegment(verified, "shop", "other", "production", 0, definition), "segment shop/beta-users");
        refused(() -> ApprovalTokens.requireMatchesSegment(verified, "shop", "beta-users", "production", 1, definition), "base version 0");
        refused(() -> ApprovalTokens.requireMatches(verified, "shop", "beta-users", "production", 0, definition), "segment");
        ApprovalClaims flag = ApprovalTokens.verify(ApprovalTokens.issue(claims(), signer), trusted, NOW);
        refused(() -> ApprovalTokens.requireMatchesSegment(flag, "shop", "new-checkout", "production", 3, config()), "flag");
        // A flag token's signed bytes carry no segment member at all, so tokens issued before segments still verify.
        String payload = new String(Base64.getUrlDecoder().decode(ApprovalTokens.issue(claims(), signer).split("\\.")[0]));
        assertTrue(!payload.contains("segment"), payload);
    }

    @Test
    void refusesTamperedExpiredAndUntrustedTokens() throws Exception {
        String token = ApprovalTokens.issue(claims(), signer);
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace("\"base_version\":3", "\"base_version\":4").getBytes())
                + token.substring(token.indexOf('.'));
        refused(() -> ApprovalTokens.verify(forged, trusted, NOW), "signature");
        refused(() -> ApprovalTokens.verify(token, trusted, NOW.plusSeconds(301)), "expired");
        refused(() -> ApprovalTokens.verify(token, Map.of("other", keys.getPublic()), NOW), "not trusted");
        EventSigner stranger = new EventSigner("approval-1", Ed25519Keys.generate().getPrivate());
        refused(() -> ApprovalTokens.verify(ApprovalTokens.issue(claims(), stranger), trusted, NOW), "signature");
        for (String junk : new String[] {"", "abc", "a.b.c", "!!!.???", "e30.AA"}) {
            refused(() -> ApprovalTokens.verify(junk, trusted, NOW), "");
        }
    }

    @Test
    void operationApprovalsApproveExactlyThatOperationOfThatFlagAtThatMetadataVersion() throws Exception {
        JsonNode lower = JSON.readTree("{\"risk\":\"low\"}");
        ApprovalClaims op = ApprovalTokens.verify(ApprovalTokens.issue(ApprovalClaims.forOperation("cr-3", "shop", "pay",
                ApprovalClaims.METADATA, 4, ApprovalClaims.operationHashOf(ApprovalClaims.METADATA, lower),
                List.of("a1", "a2"), NOW.minusSeconds(5), NOW.plusSeconds(300)).withRequester("req"), signer), trusted, NOW);
        assertEquals("req", op.requester());
        ApprovalTokens.requireMatchesOperation(op, "shop", "pay", ApprovalClaims.METADATA, 4, lower);
        refused(() -> ApprovalTokens.requireMatchesOperation(op, "shop", "pay", ApprovalClaims.ARCHIVE, 4, null), "operation metadata");
        refused(() -> ApprovalTokens.requireMatchesOperation(op, "shop", "other", ApprovalClaims.METADATA, 4, lower), "flag shop/pay");
        refused(() -> ApprovalTokens.requireMatchesOperation(op, "shop", "pay", ApprovalClaims.METADATA, 5, lower), "metadata version 4");
        refused(() -> ApprovalTokens.requireMatchesOperation(op, "shop", "pay", ApprovalClaims.METADATA, 4,
                JSON.readTree("{\"risk\":\"low\",\"owner\":\"x\"}")), "change_sha256");
        // an operation token writes no config, and a config token performs no operation
        refused(() -> ApprovalTokens.requireMatches(op, "shop", "pay", "*", 4, lower), "operation metadata");
        ApprovalClaims config = ApprovalTokens.verify(ApprovalTokens.issue(claims(), signer), trusted, NOW);
        refused(() -> ApprovalTokens.requireMatchesOperation(config, "shop", "new-checkout", ApprovalClaims.ARCHIVE, 3, null),
                "not for archive");
    }

    @Test
    void aTokenNeedsEnoughDistinctApproversNoneOfThemTheRequesterOrTheApplier() throws Exception {
        ApprovalTokens.requireApprovers(withApprovers(List.of("a1", "a2"), "req"), 2, List.of("applier"));
        ApprovalTokens.requireApprovers(withApprovers(List.of(), null), 0, List.of());
        refused(() -> ApprovalTokens.requireApprovers(withApprovers(List.of(), "req"), 2, List.of()), "0 distinct");
        refused(() -> ApprovalTokens.requireApprovers(withApprovers(List.of("a1", "a1", " "), "req"), 2, List.of()), "1 distinct");
        refused(() -> ApprovalTokens.requireApprovers(withApprovers(List.of("a1", "req"), "req"), 2, List.of()), "is the requester");
        refused(() -> ApprovalTokens.requireApprovers(withApprovers(List.of("a1", "applier"), "req"), 2, List.of("applier")),
                "applying");
        refused(() -> ApprovalTokens.requireApprovers(withApprovers(List.of("a1", "a2"), null), 1, List.of()), "no requester");
    }

    private ApprovalClaims withApprovers(List<String> approvers, String requester) throws Exception {
        ApprovalClaims c = claims();
        return new ApprovalClaims(c.changeRequestId(), c.project(), c.flag(), c.environment(), c.baseVersion(),
                c.changeSha256(), approvers, c.issuedAt(), c.expiresAt()).withRequester(requester);
    }

    private static void refused(org.junit.jupiter.api.function.Executable check, String reason) {
        Exception e = assertThrows(ApprovalTokenException.class, check);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
