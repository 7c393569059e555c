package io.flagledger.common.verify;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.verify.EventGate;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Builds the {@link EventGate} of a consuming service the same way everywhere: the keys of
 * {@code flagledger.audit.trusted-keys.*} ({@link ProducerKeysConfig}) plus the entries of the service's
 * environment list ({@code <key id>:<service>:<base64 public key>}, comma-separated), and the service's own map of
 * topic to allowed source services. With no key at all every event is refused (fail closed). Call it from a
 * {@code @Startup} producer, so a malformed key stops the service at start-up instead of failing its first record.
 */
public final class TrustedProducers {

    private static final Logger LOG = Logger.getLogger(TrustedProducers.class);

    private TrustedProducers() {
    }

    /**
     * @param keys          {@code flagledger.audit.trusted-keys.*}
     * @param envEntries    more keys from the service's environment list, e.g. {@code FLAGLEDGER_MONITOR_TRUSTED_KEYS}
     * @param envProperty   the property holding {@code envEntries}, named in error and log messages
     * @param sourcesByTopic per consumed topic, the source services whose events it may carry
     */
    public static EventGate gate(ProducerKeysConfig keys, Optional<List<String>> envEntries, String envProperty,
                                 Map<String, ? extends Collection<String>> sourcesByTopic) {
        List<EventGate.TrustedKey> trusted = new ArrayList<>();
        keys.trustedKeys().forEach((id, k) -> trusted.add(new EventGate.TrustedKey(id, k.service(),
                decode("flagledger.audit.trusted-keys.\"" + id + "\".public-key", k.publicKey()))));
        envEntries.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty())
                .forEach(entry -> trusted.add(parse(envProperty, entry)));
        EventGate gate = new EventGate(trusted, sourcesByTopic);
        if (gate.keyIds().isEmpty()) {
            LOG.warnf("No producer public keys are configured (flagledger.audit.trusted-keys.* or %s): "
                    + "every consumed event on %s will be rejected", envProperty, sourcesByTopic.keySet());
        } else {
            LOG.infof("Verifying producer signatures with keys %s; topics and their producers: %s", gate.keyIds(), sourcesByTopic);
        }
        return gate;
    }

    /** {@code <key id>:<service>:<base64 public key>}; {@code property} names where the entry came from. */
    public static EventGate.TrustedKey parse(String property, String entry) {
        String[] parts = entry.split(":", 3);
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
            throw new IllegalArgumentException(property + ": expected <key id>:<service>:<base64 public key>, got an entry of "
                    + parts.length + " part(s)");
        }
        return new EventGate.TrustedKey(parts[0].trim(), parts[1].trim(),
                decode(property + " \"" + parts[0].trim() + "\"", parts[2].trim()));
    }

    private static PublicKey decode(String where, String encoded) {
        try {
            return Ed25519Keys.decodePublic(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
