package io.flagledger.approval.supersede;

import io.flagledger.common.verify.ProducerKeysConfig;
import io.flagledger.common.verify.TrustedProducers;
import io.flagledger.contract.verify.EventGate;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * approval-service's {@link EventGate}, built at start-up by service-common's {@link TrustedProducers} from
 * {@code flagledger.audit.trusted-keys.*}, {@code FLAGLEDGER_APPROVAL_TRUSTED_KEYS} and
 * {@code flagledger.verification.sources}; a malformed key stops the service at start-up.
 */
public class EventGateProducer {

    @Produces
    @Singleton
    @Startup
    EventGate gate(ProducerKeysConfig keys, VerificationConfig verification) {
        return TrustedProducers.gate(keys, verification.trustedKeys(), "flagledger.verification.trusted-keys",
                verification.sources());
    }
}
