package io.flagledger.audit;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.PrivateKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fresh keys for approval-service and monitor-service, trusted by audit-service each for its own service, so
 * tests can publish the events of every producer. Kept in system properties: Quarkus loads test resources and
 * tests through different class loaders, and a static field would not be shared.
 */
public class ProducerKeysResource implements QuarkusTestResourceLifecycleManager {

    static final List<String> SERVICES = List.of("approval-service", "monitor-service");

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        for (String service : SERVICES) {
            String property = "io.flagledger.audit.test.key." + service;
            synchronized (ProducerKeysResource.class.getName().intern()) {
                if (System.getProperty(property) == null) {
                    System.setProperty(property, Ed25519Keys.encodePrivate(Ed25519Keys.generate().getPrivate()));
                }
            }
            PrivateKey key = Ed25519Keys.decodePrivate(System.getProperty(property));
            String prefix = "flagledger.audit.trusted-keys.\"" + service + "-test\".";
            config.put(prefix + "service", service);
            config.put(prefix + "public-key", Ed25519Keys.encodePublic(Ed25519Keys.publicKeyOf(key)));
        }
        return config;
    }

    @Override
    public void stop() {
        // the keys only ever lived in memory
    }

    /** Signs as {@code service} (approval-service or monitor-service). */
    public static EventSigner signer(String service) {
        String encoded = System.getProperty("io.flagledger.audit.test.key." + service);
        if (encoded == null) {
            throw new IllegalStateException("no test key for " + service + ": is ProducerKeysResource active?");
        }
        return new EventSigner(service + "-test", Ed25519Keys.decodePrivate(encoded));
    }
}
