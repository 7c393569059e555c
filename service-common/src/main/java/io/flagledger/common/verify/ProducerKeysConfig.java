package io.flagledger.common.verify;

import io.smallrye.config.ConfigMapping;
import java.util.Map;

/**
 * The producers' public keys, in one format for every service that verifies events (audit-service, monitor-service,
 * approval-service), so one properties file (the Helm chart's ConfigMap, the local stack's config) serves them all:
 * {@code flagledger.audit.trusted-keys."<key id>".service} and {@code ...public-key} (base64 X.509
 * SubjectPublicKeyInfo or PEM, Ed25519). Old keys stay listed after a rotation so events signed before it still
 * verify. A key is bound to one service: it cannot vouch for another.
 */
@ConfigMapping(prefix = "flagledger.audit")
public interface ProducerKeysConfig {

    Map<String, TrustedKey> trustedKeys();

    interface TrustedKey {
        /** The source_service this key may sign for. */
        String service();

        /** Base64 X.509 SubjectPublicKeyInfo (or PEM) Ed25519 public key. */
        String publicKey();
    }
}
