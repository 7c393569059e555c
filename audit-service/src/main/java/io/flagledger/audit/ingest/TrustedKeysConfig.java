package io.flagledger.audit.ingest;

import io.smallrye.config.ConfigMapping;
import java.util.Map;

/**
 * Public keys of the producing services, by key id. Old keys stay listed after a rotation so
 * events signed before it still verify. A key is bound to one service: it cannot vouch for another.
 */
@ConfigMapping(prefix = "flagledger.audit")
public interface TrustedKeysConfig {

    Map<String, TrustedKey> trustedKeys();

    interface TrustedKey {
        /** The source_service this key may sign for. */
        String service();

        /** Base64 X.509 SubjectPublicKeyInfo (or PEM) Ed25519 public key. */
        String publicKey();
    }
}
