package io.flagledger.testsupport.signing;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.internal.JvmShared;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fresh keys for the producers a consuming service verifies (init arg {@code services}, comma-separated; default
 * flag-api and approval-service), each trusted for its own service in the shared format
 * ({@code flagledger.audit.trusted-keys."<service>-test".*}), so tests publish events exactly as those services
 * would. One key per service and JVM, kept where every class loader of a Quarkus test run sees the same one.
 */
public class ProducerKeysResource implements QuarkusTestResourceLifecycleManager {

    private List<String> services = List.of("flag-api", "approval-service");

    @Override
    public void init(Map<String, String> initArgs) {
        String list = initArgs.get("services");
        if (list != null && !list.isBlank()) {
            services = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        for (String service : services) {
            PrivateKey key = privateKey(service);
            String prefix = "flagledger.audit.trusted-keys.\"" + keyId(service) + "\".";
            config.put(prefix + "service", service);
            config.put(prefix + "public-key", Ed25519Keys.encodePublic(Ed25519Keys.publicKeyOf(key)));
        }
        return config;
    }

    @Override
    public void stop() {
        // the keys only ever lived in memory
    }

    /** The key id the service under test trusts for {@code service}. */
    public static String keyId(String service) {
        return service + "-test";
    }

    /** Signs as {@code service} (e.g. flag-api or approval-service) with the key the service under test trusts for it. */
    public static EventSigner signer(String service) {
        return new EventSigner(keyId(service), privateKey(service));
    }

    private static PrivateKey privateKey(String service) {
        String name = "producer-key." + service;
        synchronized (JvmShared.LOCK) {
            if (JvmShared.get(name) == null) {
                JvmShared.put(name, Ed25519Keys.encodePrivate(Ed25519Keys.generate().getPrivate()));
            }
            return Ed25519Keys.decodePrivate(JvmShared.get(name));
        }
    }
}
