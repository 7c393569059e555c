package io.flagledger.monitor;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.PrivateKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fresh keys for the producers monitor-service consumes, flag-api and approval-service, trusted each for its own
 * service in audit-service's format ({@code flagledger.audit.trusted-keys."<service>-test".*}), so tests publish
 * events exactly as those services would. Kept in system properties: Quarkus loads test resources and tests through
 * different class loaders, and a static field would not be shared.
 */
public class ProducerKeysResource implements QuarkusTestResourceLifecycleManager {

    static final List<String> SERVICES = List.of("flag-api", "approval-service");

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        for (String service : SERVICES) {
            PrivateKey key = privateKey(service);
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

    /** Signs as {@code service} (flag-api or approval-service) with the key monitor-service trusts for it. */
    public static EventSigner signer(String service) {
        return new EventSigner(service + "-test", privateKey(service));
    }

    private static PrivateKey privateKey(String service) {
        String property = "io.flagledger.monitor.test.key." + service;
        synchronized (ProducerKeysResource.class.getName().intern()) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, Ed25519Keys.encodePrivate(Ed25519Keys.generate().getPrivate()));
            }
            return Ed25519Keys.decodePrivate(System.getProperty(property));
        }
    }
}
