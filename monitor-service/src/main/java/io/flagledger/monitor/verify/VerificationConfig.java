package io.flagledger.monitor.verify;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code flagledger.monitor.verification.*}: which services may publish on which topic, and keys from the environment. */
@ConfigMapping(prefix = "flagledger.monitor.verification")
public interface VerificationConfig {

    /** Per consumed topic, the source services whose events it may carry, e.g. {@code "flag.changes"=flag-api}. */
    Map<String, List<String>> sources();

    /**
     * More producer keys, for deployments that pass them in one environment variable
     * ({@code FLAGLEDGER_MONITOR_TRUSTED_KEYS}): comma-separated {@code <key id>:<service>:<base64 public key>}.
     * Added to {@code flagledger.audit.trusted-keys.*}.
     */
    Optional<List<String>> trustedKeys();
}
