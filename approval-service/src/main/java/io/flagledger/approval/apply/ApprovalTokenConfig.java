package io.flagledger.approval.apply;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The key approval tokens are signed with: not the event signing key, so flag-api trusts it for this purpose only. */
@ConfigMapping(prefix = "flagledger.approval-token")
public interface ApprovalTokenConfig {

    String keyId();

    /** Base64 PKCS#8 (or PEM) Ed25519 private key (env FLAGLEDGER_APPROVAL_TOKEN_PRIVATE_KEY). */
    String privateKey();

    /** A token only has to survive one HTTP call. */
    @WithDefault("PT5M")
    Duration lifetime();
}
