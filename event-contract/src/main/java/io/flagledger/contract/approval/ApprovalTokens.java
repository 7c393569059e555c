package io.flagledger.contract.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.Ed25519Engine;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Approval tokens: {@code base64url(canonical JSON header+claims) "." base64url(Ed25519 signature)}.
 * A compact JWS-like shape without JWS's algorithm agility: the algorithm is always Ed25519 and the key is
 * chosen by {@code key_id} from the verifier's trusted set, so "alg: none" style downgrades cannot exist.
 */
public final class ApprovalTokens {

    /** HTTP header carrying the token on the write approval-service makes to flag-api. */
    public static final String HEADER = "X-Flagledger-Approval";
    static final String TYPE = "flagledger-approval/v1";
    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    /** Tokens are small; anything larger is refused before parsing. */
    private static final int MAX_LENGTH = 16 * 1024;

    private ApprovalTokens() {
    }

    public static String issue(ApprovalClaims claims, EventSigner signer) {
        ObjectNode body = MAPPER.valueToTree(claims);
        body.put("typ", TYPE);
        body.put("key_id", signer.keyId());
        byte[] payload = CanonicalJson.canonicalize(body);
        return B64.encodeToString(payload) + "." + B64.encodeToString(signer.signRaw(payload));
    }

    /**
     * Verifies signature, type and validity period; the caller then checks the claims against the request
     * (see {@link #requireMatches}).
     */
    public static ApprovalClaims verify(String token, Map<String, PublicKey> trustedKeys, Instant now)
            throws ApprovalTokenException {
        if (token == null || token.isBlank()) {
            throw new ApprovalTokenException("no approval token");
        }
        if (token.length() > MAX_LENGTH) {
            throw new ApprovalTokenException("approval token is too long");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new ApprovalTokenException("approval token is not two base64url parts separated by '.'");
        }
        byte[] payload;
        byte[] signature;
        JsonNode body;
        try {
            payload = B64D.decode(token.substring(0, dot));
            signature = B64D.decode(token.substring(dot + 1));
            body = MAPPER.readTree(payload);
        } catch (Exception e) {
            throw new ApprovalTokenException("approval token is not valid base64url JSON");
        }
        if (!TYPE.equals(body.path("typ").asText())) {
            throw new ApprovalTokenException("approval token type is not " + TYPE);
        }
        String keyId = body.path("key_id").asText();
        PublicKey key = trustedKeys.get(keyId);
        if (key == null) {
            throw new ApprovalTokenException("approval token key '" + keyId + "' is not trusted");
        }
        if (!verifySignature(key, payload, signature)) {
            throw new ApprovalTokenException("approval token signature is invalid");
        }
        ApprovalClaims claims;
        try {
            ((ObjectNode) body).remove("typ");
            ((ObjectNode) body).remove("key_id");
            claims = MAPPER.treeToValue(body, ApprovalClaims.class);
        } catch (Exception e) {
            throw new ApprovalTokenException("approval token claims are malformed");
        }
        if (claims.expiresAt() == null || !now.isBefore(claims.expiresAt())) {
            throw new ApprovalTokenException("approval token has expired");
        }
        if (claims.issuedAt() == null || claims.issuedAt().isAfter(now.plusSeconds(60))) {
            throw new ApprovalTokenException("approval token is issued in the future");
        }
        return claims;
    }

    /** The token must approve exactly this write; the message names the first claim that differs. */
    public static void requireMatches(ApprovalClaims claims, String project, String flag, String environment,
                                      long currentVersion, JsonNode proposedConfig) throws ApprovalTokenException {
        requireNoOperation(claims);
        if (claims.flag() == null) {
            throw new ApprovalTokenException("approval token is for segment " + claims.project() + "/" + claims.segment());
        }
        if (!claims.project().equals(project) || !claims.flag().equals(flag)) {
            throw new ApprovalTokenException("approval token is for flag " + claims.project() + "/" + claims.flag());
        }
        requireSameChange(claims, environment, currentVersion, proposedConfig);
    }

    /** The token must approve exactly this segment definition, in this environment, on top of this version. */
    public static void requireMatchesSegment(ApprovalClaims claims, String project, String segment, String environment,
                                             long currentVersion, JsonNode proposedDefinition) throws ApprovalTokenException {
        requireNoOperation(claims);
        if (claims.segment() == null) {
            throw new ApprovalTokenException("approval token is for flag " + claims.project() + "/" + claims.flag());
        }
        if (!claims.project().equals(project) || !claims.segment().equals(segment)) {
            throw new ApprovalTokenException("approval token is for segment " + claims.project() + "/" + claims.segment());
        }
        requireSameChange(claims, environment, currentVersion, proposedDefinition);
    }

    /**
     * The token must approve exactly this flag-wide operation on this flag at this metadata version, with exactly
     * this proposed metadata (null for archive and restore).
     */
    public static void requireMatchesOperation(ApprovalClaims claims, String project, String flag, String operation,
                                               long metadataVersion, JsonNode metadata) throws ApprovalTokenException {
        if (claims.operation() == null) {
            throw new ApprovalTokenException("approval token is for a change of " + (claims.segment() != null
                    ? "segment " + claims.segment() : "environment " + claims.environment()) + ", not for " + operation);
        }
        if (!claims.operation().equals(operation)) {
            throw new ApprovalTokenException("approval token is for operation " + claims.operation() + ", not " + operation);
        }
        if (claims.flag() == null || !claims.project().equals(project) || !claims.flag().equals(flag)) {
            throw new ApprovalTokenException("approval token is for flag " + claims.project() + "/" + claims.flag());
        }
        if (claims.baseVersion() != metadataVersion) {
            throw new ApprovalTokenException("approval token is for metadata version " + claims.baseVersion()
                    + " but the flag is at metadata version " + metadataVersion);
        }
        requireHash(claims, ApprovalClaims.operationHashOf(operation, metadata), "the metadata sent differs from the approved change (change_sha256)");
    }

    /**
     * The token must name at least {@code minApprovers} distinct approvers, none of them the requester it names nor
     * anyone in {@code notApprovers} (whoever applies it): four eyes are two people besides the author.
     */
    public static void requireApprovers(ApprovalClaims claims, int minApprovers, java.util.Collection<String> notApprovers)
            throws ApprovalTokenException {
        if (minApprovers <= 0) {
            return;
        }
        if (claims.requester() == null || claims.requester().isBlank()) {
            throw new ApprovalTokenException("approval token names no requester, so separation of duties cannot be checked");
        }
        java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
        for (String approver : claims.approvers()) {
            if (approver == null || approver.isBlank()) {
                continue;
            }
            if (approver.equals(claims.requester())) {
                throw new ApprovalTokenException("approver " + approver + " is the requester of the change");
            }
            if (notApprovers.contains(approver)) {
                throw new ApprovalTokenException("approver " + approver + " is applying the change");
            }
            distinct.add(approver);
        }
        if (distinct.size() < minApprovers) {
            throw new ApprovalTokenException("approval token names " + distinct.size() + " distinct approver(s); "
                    + minApprovers + " are required");
        }
    }

    private static void requireNoOperation(ApprovalClaims claims) throws ApprovalTokenException {
        if (claims.operation() != null) {
            throw new ApprovalTokenException("approval token is for operation " + claims.operation() + " of flag "
                    + claims.project() + "/" + claims.flag());
        }
    }

    private static void requireHash(ApprovalClaims claims, String actualHash, String message) throws ApprovalTokenException {
        if (claims.changeSha256() == null) {
            throw new ApprovalTokenException("approval token has no change_sha256");
        }
        byte[] expected = claims.changeSha256().getBytes(StandardCharsets.US_ASCII);
        byte[] actual = actualHash.getBytes(StandardCharsets.US_ASCII);
        if (!java.security.MessageDigest.isEqual(expected, actual)) {
            throw new ApprovalTokenException(message);
        }
    }

    private static void requireSameChange(ApprovalClaims claims, String environment, long currentVersion,
                                          JsonNode proposedConfig) throws ApprovalTokenException {
        if (!claims.environment().equals(environment)) {
            throw new ApprovalTokenException("approval token is for environment " + claims.environment());
        }
        if (claims.baseVersion() != currentVersion) {
            throw new ApprovalTokenException("approval token is for base version " + claims.baseVersion()
                    + " but the target is at version " + currentVersion);
        }
        requireHash(claims, ApprovalClaims.changeHashOf(proposedConfig),
                "the config sent differs from the approved change (change_sha256)");
    }

    private static boolean verifySignature(PublicKey key, byte[] payload, byte[] signature) {
        try {
            return Ed25519Engine.verifier(key).verify(payload, signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
