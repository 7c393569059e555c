package io.flagledger.approval.supersede;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code flagledger.verification.*}: which services may publish on the topics approval-service consumes, and
 * producer keys from the environment. The keys themselves are {@code flagledger.audit.trusted-keys.*}, shared with
 * audit-service and monitor-service.
 */
@ConfigMapping(prefix = "flagledger.verification")
public interface VerificationConfig {

    /** Per consumed topic, the source services whose events it may carry: {@code "flag.changes"=flag-api}. */
    Map<String, List<String>> sources();

    /**
     * More producer keys, for deployments that pass them in one environment variable
     * ({@code FLAGLEDGER_APPROVAL_TRUSTED_KEYS}): comma-separated {@code <key id>:<service>:<base64 public key>}.
     * Added to {@code flagledger.audit.trusted-keys.*}.
     */
    Optional<List<String>> trustedKeys();
}
