package io.flagledger.common.signing;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

public class EventSignerProducer {

    @Produces
    @Singleton
    EventSigner signer(SigningConfig config) {
        String key = config.privateKey().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                "flagledger.signing.private-key is not set: give the service its Ed25519 key (env FLAGLEDGER_SIGNING_PRIVATE_KEY)"));
        String keyId = config.keyId().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                "flagledger.signing.key-id is not set (env FLAGLEDGER_SIGNING_KEY_ID)"));
        return new EventSigner(keyId, Ed25519Keys.decodePrivate(key));
    }
}
