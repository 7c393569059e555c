package io.flagledger.testsupport.keycloak;

import io.flagledger.testsupport.internal.Processes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The credentials of one run of the {@code flagledger} demo realm ({@code keycloak/flagledger-realm.json}).
 * <p>
 * The realm file holds no secret: every user password and client secret is a placeholder
 * ({@code ${FLAGLEDGER_<USER>_PASSWORD}}, {@code ${FLAGLEDGER_<CLIENT>_SECRET}}) that Keycloak fills from its
 * environment at import. {@link #generate()} draws fresh random values for all of them; {@link #environment()} is
 * what {@link Keycloak#start} takes as {@code realmEnv}.
 */
public final class DemoRealm {

    public static final String REALM = Keycloak.REALM;
    /** Public client with direct access grants (tests, CLI, curl walk-through). */
    public static final String CLI_CLIENT = "flagledger-cli";
    /** Demo users, in the order a README would list them. */
    public static final List<String> USERS = List.of("requester", "approver1", "approver2", "sre", "viewer", "admin", "auditor", "stager",
            "editor-a", "approver-a", "admin-a", "auditor-a", "freezer", "freezer-a");
    /** Confidential clients with service accounts (client credentials grant). */
    public static final List<String> SERVICE_CLIENTS = List.of("approval-service", "monitor-service");
    /** Every confidential client (each has a secret). */
    public static final List<String> CONFIDENTIAL_CLIENTS =
            List.of("flag-api", "audit-service", "approval-service", "monitor-service", "flagledger-console");

    private final Map<String, String> environment;

    private DemoRealm(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Fresh random values for every placeholder of the realm file. */
    public static DemoRealm generate() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : Keycloak.realmPlaceholders()) {
            env.put(name, Processes.randomSecret(18));
        }
        return new DemoRealm(env);
    }

    /** The realm as described by placeholder values chosen elsewhere (e.g. read back from an env file). */
    public static DemoRealm of(Map<String, String> environment) {
        return new DemoRealm(environment);
    }

    /** Placeholder name to value: pass to {@link Keycloak#start} as {@code realmEnv}. */
    public Map<String, String> environment() {
        return environment;
    }

    /** Password of a demo user in this run. */
    public String password(String user) {
        String v = environment.get(passwordVariable(user));
        if (v == null) {
            throw new IllegalArgumentException("unknown demo user " + user + "; known: " + USERS);
        }
        return v;
    }

    /** Secret of a confidential client in this run. */
    public String clientSecret(String clientId) {
        String v = environment.get(secretVariable(clientId));
        if (v == null) {
            throw new IllegalArgumentException("client " + clientId + " has no secret (public or unknown client)");
        }
        return v;
    }

    /** Whether {@code clientId} is a confidential client of the realm (has a secret). */
    public boolean isConfidential(String clientId) {
        return environment.containsKey(secretVariable(clientId));
    }

    /** {@code FLAGLEDGER_<USER>_PASSWORD}. */
    public static String passwordVariable(String user) {
        return "FLAGLEDGER_" + user.toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
    }

    /** {@code FLAGLEDGER_<CLIENT ID without "flagledger-">_SECRET}, e.g. FLAGLEDGER_MONITOR_SERVICE_SECRET. */
    public static String secretVariable(String clientId) {
        String id = clientId.startsWith("flagledger-") ? clientId.substring("flagledger-".length()) : clientId;
        return "FLAGLEDGER_" + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_SECRET";
    }

    @Override
    public String toString() {
        return "DemoRealm" + environment.keySet(); // never the values
    }
}
