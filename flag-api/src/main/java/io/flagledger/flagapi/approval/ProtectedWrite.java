package io.flagledger.flagapi.approval;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a caller offers to be allowed to write a protected environment: an approval token from approval-service,
 * or the id of the change an automated revert undoes. Both may be absent (then only break-glass can apply).
 * {@code proposedConfig} is the config exactly as sent, which is what an approval token hashes.
 */
public record ProtectedWrite(String approvalToken, String revertOf, JsonNode proposedConfig) {

    public static final String REVERT_HEADER = "X-Flagledger-Revert-Of";
    public static final ProtectedWrite NONE = new ProtectedWrite(null, null, null);
}
