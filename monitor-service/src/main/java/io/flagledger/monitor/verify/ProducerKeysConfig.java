package io.flagledger.monitor.verify;

import io.smallrye.config.ConfigMapping;
import java.util.Map;

/**
 * The producers' public keys in exactly audit-service's format, so one properties file (the Helm chart's
 * ConfigMap, the local stack's config) serves both services:
 * {@code flagledger.audit.trusted-keys."<key id>".service} and {@code ...public-key} (base64 X.509
 * SubjectPublicKeyInfo or PEM, Ed25519). Old keys stay listed after a rotation.
 */
@ConfigMapping(prefix = "flagledger.audit")
public interface ProducerKeysConfig {

    Map<String, TrustedKey> trustedKeys();

    interface TrustedKey {
        /** The source_service this key may sign for. */
        String service();

        String publicKey();
    }
}
