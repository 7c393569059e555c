package io.flagledger.common.signing;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The service's own Ed25519 signing key; in Kubernetes it comes from a Secret, never from the image. */
@ConfigMapping(prefix = "flagledger.signing")
public interface SigningConfig {

    /** Key id published with the public key so verifiers can pick the right key after rotation. */
    Optional<String> keyId();

    /** Base64 PKCS#8 (or PEM) Ed25519 private key. */
    Optional<String> privateKey();
}
