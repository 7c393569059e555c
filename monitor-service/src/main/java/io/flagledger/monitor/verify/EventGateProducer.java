package io.flagledger.monitor.verify;

import io.flagledger.common.verify.ProducerKeysConfig;
import io.flagledger.common.verify.TrustedProducers;
import io.flagledger.contract.verify.EventGate;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * monitor-service's {@link EventGate}, built at start-up by service-common's {@link TrustedProducers} from
 * {@code flagledger.audit.trusted-keys.*}, {@code FLAGLEDGER_MONITOR_TRUSTED_KEYS} and
 * {@code flagledger.monitor.verification.sources}.
 */
public class EventGateProducer {

    @Produces
    @Singleton
    @Startup
    EventGate gate(ProducerKeysConfig keys, VerificationConfig verification) {
        return TrustedProducers.gate(keys, verification.trustedKeys(), "flagledger.monitor.verification.trusted-keys",
                verification.sources());
    }
}
