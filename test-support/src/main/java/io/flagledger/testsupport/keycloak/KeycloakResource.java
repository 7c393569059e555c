package io.flagledger.testsupport.keycloak;

import io.flagledger.testsupport.internal.JvmShared;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Quarkus test resource: one {@link Keycloak} per test JVM, shared by every test class and kept across Quarkus
 * restarts (also across the class loaders Quarkus creates for them). It is stopped when the JVM exits;
 * {@code stop()} does not stop it.
 * <p>
 * Every password and client secret is generated at random when Keycloak is started (nothing secret is committed)
 * and passed to the realm import as placeholder values; {@link #tokenFor(String)} and {@link #serviceToken(String)}
 * know them.
 * <p>
 * Returns {@code quarkus.oidc.auth-server-url} (the issuer), {@code quarkus.oidc.client-id} (init arg
 * {@code client-id}, default {@code flag-api}) and, for a confidential client, {@code quarkus.oidc.credentials.secret};
 * Keycloak Dev Services are disabled. With init arg {@code oidc-client-id} (e.g. {@code approval-service}) it also
 * returns {@code quarkus.oidc-client.auth-server-url}, {@code quarkus.oidc-client.client-id},
 * {@code quarkus.oidc-client.credentials.secret} and {@code quarkus.oidc-client.grant.type=client}.
 * Init arg {@code timeout-seconds} (default 300) bounds the start (the very first start unzips and builds Keycloak).
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    /** The public client with direct access grants used by {@link #tokenFor(String)}. */
    public static final String TEST_CLIENT = DemoRealm.CLI_CLIENT;

    private static final String PROCESS = "keycloak.process";
    private static final String BASE_URL = "keycloak.baseUrl";
    private static final String LOG = "keycloak.logFile";
    private static final String ADMIN_USER = "keycloak.adminUsername";
    private static final String ADMIN_PASSWORD = "keycloak.adminPassword";
    private static final String STARTUP = "keycloak.startupMillis";
    private static final String REALM_ENV = "keycloak.realmEnv.";

    private String clientId = "flag-api";
    private String oidcClientId;
    private Duration timeout = Duration.ofSeconds(300);

    @Override
    public void init(Map<String, String> initArgs) {
        clientId = initArgs.getOrDefault("client-id", clientId);
        oidcClientId = initArgs.get("oidc-client-id");
        String t = initArgs.get("timeout-seconds");
        if (t != null) {
            timeout = Duration.ofSeconds(Long.parseLong(t));
        }
    }

    @Override
    public Map<String, String> start() {
        Keycloak kc = startOrReuse(timeout);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.oidc.auth-server-url", kc.issuerUrl());
        config.put("quarkus.oidc.client-id", clientId);
        String secret = secretOrNull(clientId);
        if (secret != null) {
            config.put("quarkus.oidc.credentials.secret", secret);
        }
        config.put("quarkus.keycloak.devservices.enabled", "false");
        if (oidcClientId != null && !oidcClientId.isBlank()) {
            config.put("quarkus.oidc-client.auth-server-url", kc.issuerUrl());
            config.put("quarkus.oidc-client.client-id", oidcClientId);
            String s = secretOrNull(oidcClientId);
            if (s != null) {
                config.put("quarkus.oidc-client.credentials.secret", s);
            }
            config.put("quarkus.oidc-client.grant.type", "client");
        }
        return config;
    }

    /** Keycloak stays up for the rest of the JVM (other test classes reuse it); see the class comment. */
    @Override
    public void stop() {
        // intentionally empty
    }

    /** The Keycloak this resource started in this JVM. */
    public static Keycloak keycloak() {
        synchronized (JvmShared.LOCK) {
            Keycloak kc = current();
            if (kc == null) {
                throw new IllegalStateException("KeycloakResource has not been started in this JVM");
            }
            return kc;
        }
    }

    /** Access token of a demo user (requester, approver1, approver2, sre, viewer, auditor) via {@value #TEST_CLIENT}. */
    public static String tokenFor(String username) {
        return keycloak().passwordToken(TEST_CLIENT, null, username, realm().password(username));
    }

    /**
     * A genuine token of the user, signed by Keycloak, that has already expired: issued by a test client whose tokens
     * live one second, returned once that second (and one more for clock rounding) has passed.
     */
    public static String expiredTokenFor(String username) {
        return keycloak().expiredPasswordToken(username, realm().password(username));
    }

    /** Client-credentials access token of a service client (approval-service, monitor-service). */
    public static String serviceToken(String clientId) {
        return keycloak().clientCredentialsToken(clientId, realm().clientSecret(clientId));
    }

    /** The passwords and client secrets of this run. */
    public static DemoRealm realm() {
        return DemoRealm.of(realmEnv());
    }

    /** The secret of a confidential client in this run. */
    public static String clientSecret(String clientId) {
        return realm().clientSecret(clientId);
    }

    // ------------------------------------------------------------------------------------------------------------

    static Keycloak startOrReuse(Duration timeout) {
        synchronized (JvmShared.LOCK) {
            Keycloak kc = current();
            if (kc != null) {
                return kc;
            }
            Map<String, String> realmEnv = DemoRealm.generate().environment();
            kc = Keycloak.start(null, timeout, realmEnv);
            JvmShared.removeAll(REALM_ENV);
            realmEnv.forEach((k, v) -> JvmShared.put(REALM_ENV + k, v));
            JvmShared.put(BASE_URL, kc.baseUrl());
            JvmShared.put(LOG, kc.logFile().toString());
            JvmShared.put(ADMIN_USER, kc.adminUsername());
            JvmShared.put(ADMIN_PASSWORD, kc.adminPassword());
            JvmShared.put(STARTUP, Long.toString(kc.startupTime().toMillis()));
            JvmShared.putProcess(PROCESS, kc.processHandle());
            System.out.println("[flagledger] Keycloak " + kc.issuerUrl() + " started in "
                    + kc.startupTime().toMillis() + " ms (log: " + kc.logFile() + ")");
            return kc;
        }
    }

    private static Keycloak current() {
        Optional<ProcessHandle> p = JvmShared.liveProcess(PROCESS);
        if (p.isEmpty()) {
            JvmShared.remove(PROCESS);
            return null;
        }
        return Keycloak.attach(p.get(), JvmShared.get(BASE_URL), Path.of(JvmShared.get(LOG)),
                JvmShared.get(ADMIN_USER), JvmShared.get(ADMIN_PASSWORD),
                Duration.ofMillis(Long.parseLong(JvmShared.get(STARTUP))));
    }

    private static Map<String, String> realmEnv() {
        synchronized (JvmShared.LOCK) {
            if (current() == null) {
                throw new IllegalStateException("KeycloakResource has not been started in this JVM");
            }
            Map<String, String> env = new LinkedHashMap<>();
            for (String name : Keycloak.realmPlaceholders()) {
                String v = JvmShared.get(REALM_ENV + name);
                if (v != null) {
                    env.put(name, v);
                }
            }
            return env;
        }
    }

    private static String secretOrNull(String clientId) {
        return realmEnv().get(DemoRealm.secretVariable(clientId));
    }
}
