package io.flagledger.audit.ingest;

import io.flagledger.common.signing.SigningConfig;
import io.flagledger.common.verify.ProducerKeysConfig;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.verify.EventGate;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The producer keys events are verified with, each bound to the services it may sign for: the configured
 * trusted keys plus audit-service's own signing key, bound to audit-service, for the events it records itself
 * (exports, audited reads, alerts). Exported bundles carry exactly this list.
 */
@Singleton
public class TrustedProducers {

    /** The name audit-service signs its own events as. */
    public static final String SELF = "audit-service";

    /** {@code publicKey} is base64 X.509 SubjectPublicKeyInfo (Ed25519). */
    public record ProducerKey(String keyId, List<String> services, String publicKey) {
    }

    private final Map<String, PublicKey> keys = new HashMap<>();
    private final Map<String, Set<String>> servicesByKeyId = new HashMap<>();

    @Inject
    public TrustedProducers(ProducerKeysConfig trusted, SigningConfig own) {
        trusted.trustedKeys().forEach((id, k) -> add(id, decode(id, k.publicKey()), k.service()));
        own.privateKey().filter(k -> !k.isBlank()).ifPresent(privateKey -> {
            String id = own.keyId().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                    "flagledger.signing.key-id is not set (env FLAGLEDGER_SIGNING_KEY_ID)"));
            add(id, Ed25519Keys.publicKeyOf(Ed25519Keys.decodePrivate(privateKey)), SELF);
        });
    }

    private void add(String id, PublicKey key, String service) {
        PublicKey before = keys.putIfAbsent(id, key);
        if (before != null && !before.equals(key)) {
            throw new IllegalStateException("key id '" + id + "' names two different public keys");
        }
        servicesByKeyId.computeIfAbsent(id, x -> new TreeSet<>()).add(service);
    }

    private static PublicKey decode(String id, String encoded) {
        try {
            return Ed25519Keys.decodePublic(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flagledger.audit.trusted-keys.\"" + id + "\": " + e.getMessage(), e);
        }
    }

    /**
     * The shared consumer gate over these keys. Every audited topic admits every service that has a key: the ledger
     * records whatever a trusted producer signed, wherever it arrived (the other consumers pin topics to producers
     * because they act on the events; the ledger only records them, with their topic).
     */
    public EventGate gate(Collection<String> topics) {
        List<EventGate.TrustedKey> trusted = new ArrayList<>();
        servicesByKeyId.forEach((id, services) -> services.forEach(s -> trusted.add(new EventGate.TrustedKey(id, s, keys.get(id)))));
        Set<String> every = new TreeSet<>();
        servicesByKeyId.values().forEach(every::addAll);
        Map<String, Set<String>> sources = new HashMap<>();
        topics.forEach(t -> sources.put(t, every));
        return new EventGate(trusted, sources);
    }

    public List<ProducerKey> all() {
        return keys.entrySet().stream()
                .map(e -> new ProducerKey(e.getKey(), List.copyOf(servicesByKeyId.get(e.getKey())),
                        Ed25519Keys.encodePublic(e.getValue())))
                .sorted(Comparator.comparing(ProducerKey::keyId)).toList();
    }
}
