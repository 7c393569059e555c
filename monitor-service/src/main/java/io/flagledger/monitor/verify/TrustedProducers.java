package io.flagledger.monitor.verify;

import io.flagledger.contract.Ed25519Keys;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Builds the {@link EventGate} from the configured producer keys; with none, every event is refused (fail closed).
 * Built at start-up, so a malformed key stops the service there instead of failing its first consumed record.
 */
public class TrustedProducers {

    private static final Logger LOG = Logger.getLogger(TrustedProducers.class);

    @Produces
    @Singleton
    @Startup
    EventGate gate(ProducerKeysConfig keys, VerificationConfig verification) {
        List<EventGate.TrustedKey> trusted = new ArrayList<>();
        keys.trustedKeys().forEach((id, k) -> trusted.add(new EventGate.TrustedKey(id, k.service(),
                decode("flagledger.audit.trusted-keys.\"" + id + "\".public-key", k.publicKey()))));
        verification.trustedKeys().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty())
                .forEach(entry -> trusted.add(parse(entry)));
        EventGate gate = new EventGate(trusted, verification.sources());
        if (gate.keyIds().isEmpty()) {
            LOG.warn("No producer public keys are configured (flagledger.audit.trusted-keys.* or FLAGLEDGER_MONITOR_TRUSTED_KEYS): "
                    + "every flag change and approval event will be rejected");
        } else {
            LOG.infof("Verifying producer signatures with keys %s; topics and their producers: %s", gate.keyIds(), verification.sources());
        }
        return gate;
    }

    /** {@code <key id>:<service>:<base64 public key>}. */
    static EventGate.TrustedKey parse(String entry) {
        String[] parts = entry.split(":", 3);
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
            throw new IllegalArgumentException("flagledger.monitor.verification.trusted-keys: expected <key id>:<service>:<base64 public key>, got an entry of "
                    + parts.length + " part(s)");
        }
        return new EventGate.TrustedKey(parts[0].trim(), parts[1].trim(),
                decode("flagledger.monitor.verification.trusted-keys \"" + parts[0].trim() + "\"", parts[2].trim()));
    }

    private static java.security.PublicKey decode(String where, String encoded) {
        try {
            return Ed25519Keys.decodePublic(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
