package io.flagledger.e2e;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.kafka.KafkaBroker;
import io.flagledger.testsupport.keycloak.DemoRealm;
import io.flagledger.testsupport.keycloak.Keycloak;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole of Flagledger on one machine without containers: a real Kafka broker, a real Keycloak,
 * one fresh PostgreSQL database per service and the services themselves as separate JVMs. Used by the
 * end-to-end tests and by {@code deploy/local/up}. Every service gets its own freshly generated signing
 * key; every service trusts exactly those keys, each for its own service ({@code flagledger.audit.trusted-keys.*}:
 * audit-service admits, monitor-service and approval-service verify what they consume with them).
 */
public final class Stack implements AutoCloseable {

    public static final List<String> ALL_SERVICES = List.of("flag-api", "approval-service", "audit-service", "monitor-service");
    public static final Map<String, Integer> TOPICS = Map.of(
            "flag.changes", 3, "approval.events", 3, "monitor.actions", 3, "security.events", 3, "service.health", 3);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Map<String, Long> startMillis = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> serviceConfigs = new LinkedHashMap<>();
    private final Map<String, Path> serviceDirs = new LinkedHashMap<>();
    private final Map<String, PostgresDatabase> databases = new LinkedHashMap<>();
    private final Map<String, KeyPair> signingKeys = new HashMap<>();
    private Path repoRoot;
    /** The checkpoint origin (and key name) of the local ledger. */
    public static final String CHECKPOINT_ORIGIN = "flagledger.local/audit";

    private KafkaBroker kafka;
    private KeyPair checkpointKey;
    private Keycloak keycloak;
    private DemoRealm realm;
    /** approval-service signs approval tokens with it; flag-api trusts its public half. */
    private KeyPair approvalTokenKey;

    private Stack() {
    }

    public static Stack start(Path repoRoot, Path stateDir, List<String> serviceNames) {
        return start(repoRoot, stateDir, serviceNames, Map.of());
    }

    /** As {@link #start(Path, Path, List)}, with extra configuration per service that wins over the stack's. */
    public static Stack start(Path repoRoot, Path stateDir, List<String> serviceNames,
                              Map<String, Map<String, String>> overrides) {
        return start(repoRoot, stateDir, serviceNames, overrides, 0);
    }

    /**
     * As {@link #start(Path, Path, List, Map)} on fixed ports when {@code portBase > 0}, for people who bookmark
     * the local stack: {@link #ALL_SERVICES} in order at {@code portBase + 0..3}, Keycloak at {@code + 8}, Kafka's
     * client port at {@code + 9}. {@code 0}: free ports, so parallel runs and tests never collide.
     */
    public static Stack start(Path repoRoot, Path stateDir, List<String> serviceNames,
                              Map<String, Map<String, String>> overrides, int portBase) {
        Stack stack = new Stack();
        try {
            stack.boot(repoRoot, Files.createDirectories(stateDir), serviceNames, overrides, portBase);
            return stack;
        } catch (RuntimeException | IOException e) {
            stack.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Port offsets from the port base (see {@link #start(Path, Path, List, Map, int)}). */
    public static final int KEYCLOAK_PORT_OFFSET = 8;
    public static final int KAFKA_PORT_OFFSET = 9;

    private void boot(Path repoRoot, Path stateDir, List<String> serviceNames,
                      Map<String, Map<String, String>> overrides, int portBase) throws IOException {
        this.repoRoot = repoRoot;
        long t = System.nanoTime();
        kafka = track(KafkaBroker.start(Files.createDirectories(stateDir.resolve("kafka")), Duration.ofSeconds(60),
                portBase > 0 ? portBase + KAFKA_PORT_OFFSET : 0));
        kafka.createTopics(TOPICS);
        lap("kafka", t);

        t = System.nanoTime();
        realm = DemoRealm.generate();
        keycloak = track(Keycloak.start(Keycloak.defaultCacheDir(), Duration.ofSeconds(180), realm.environment(),
                portBase > 0 ? portBase + KEYCLOAK_PORT_OFFSET : 0));
        lap("keycloak", t);

        Map<String, KeyPair> keys = signingKeys;
        serviceNames.forEach(name -> keys.put(name, Ed25519Keys.generate()));
        checkpointKey = Ed25519Keys.generate();
        approvalTokenKey = Ed25519Keys.generate();
        // ports up front, so each service can be told where the others will be
        Map<String, Integer> ports = new HashMap<>();
        serviceNames.forEach(name -> ports.put(name, portBase > 0 ? portBase + ALL_SERVICES.indexOf(name) : freePort()));
        for (String name : serviceNames) {
            t = System.nanoTime();
            PostgresDatabase db = track(PostgresDatabase.create("flagledger_" + name.replace('-', '_')));
            databases.put(name, db);
            Map<String, String> config = new HashMap<>();
            config.put("quarkus.datasource.reactive.url", db.reactiveUrl());
            config.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
            config.put("quarkus.datasource.username", db.username());
            config.put("quarkus.datasource.password", db.password());
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
            config.put("quarkus.oidc.auth-server-url", keycloak.issuerUrl());
            config.put("flagledger.signing.key-id", name + "-local");
            config.put("flagledger.signing.private-key", Ed25519Keys.encodePrivate(keys.get(name).getPrivate()));
            if (name.equals("audit-service")) {
                config.put("flagledger.checkpoint.origin", CHECKPOINT_ORIGIN);
                config.put("flagledger.checkpoint.private-key", Ed25519Keys.encodePrivate(checkpointKey.getPrivate()));
                config.put("flagledger.checkpoint.interval", "1s");
            }
            if (name.equals("flag-api")) {
                config.put("flagledger.approval.public-keys", "approval-service-local:" + Ed25519Keys.encodePublic(approvalTokenKey.getPublic()));
            }
            if (name.equals("approval-service")) {
                config.put("flagledger.approval-token.key-id", "approval-service-local");
                config.put("flagledger.approval-token.private-key", Ed25519Keys.encodePrivate(approvalTokenKey.getPrivate()));
                config.put("quarkus.oidc.credentials.secret", realm.clientSecret("approval-service"));
                config.put("quarkus.oidc.console.credentials.secret", realm.clientSecret("flagledger-console"));
                // the local stack and the tests speak plain http on 127.0.0.1
                config.put("quarkus.oidc.console.authentication.cookie-force-secure", "false");
                config.put("quarkus.rest-csrf.cookie-force-secure", "false");
                if (ports.containsKey("flag-api")) {
                    config.put("flagledger.flag-api.url", "http://127.0.0.1:" + ports.get("flag-api"));
                }
                if (ports.containsKey("audit-service")) {
                    config.put("flagledger.audit-service.url", "http://127.0.0.1:" + ports.get("audit-service"));
                }
            }
            if (name.equals("monitor-service")) {
                // the monitor reverts through flag-api with its own client credentials
                config.put("quarkus.oidc-client.credentials.secret", realm.clientSecret("monitor-service"));
                if (ports.containsKey("flag-api")) {
                    config.put("flagledger.monitor.revert.flag-api-url", "http://127.0.0.1:" + ports.get("flag-api"));
                }
            }
            keys.forEach((producer, pair) -> {
                String prefix = "flagledger.audit.trusted-keys.\"" + producer + "-local\".";
                config.put(prefix + "service", producer);
                config.put(prefix + "public-key", Ed25519Keys.encodePublic(pair.getPublic()));
            });
            config.putAll(overrides.getOrDefault(name, Map.of()));
            Path app = repoRoot.resolve(name).resolve("target/quarkus-app");
            Path workDir = Files.createDirectories(stateDir.resolve(name));
            serviceConfigs.put(name, config);
            serviceDirs.put(name, workDir);
            ServiceProcess service = track(ServiceProcess.start(name, app, workDir, ports.get(name), config, START_TIMEOUT));
            services.put(name, service);
            lap(name, t);
        }
    }

    public String url(String service) {
        ServiceProcess process = services.get(service);
        if (process == null) {
            throw new IllegalArgumentException(service + " is not part of this stack");
        }
        return process.url();
    }

    public Map<String, String> urls() {
        Map<String, String> urls = new LinkedHashMap<>();
        services.forEach((name, process) -> urls.put(name, process.url()));
        return urls;
    }

    public Keycloak keycloak() {
        return keycloak;
    }

    public DemoRealm realm() {
        return realm;
    }

    /** The audit-service checkpoint signing key of this run (verifiers need its public half). */
    public KeyPair checkpointKey() {
        return checkpointKey;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** An access token for a demo user, obtained the way a CLI would: password grant on the public client. */
    public String token(String user) {
        return keycloak.passwordToken(DemoRealm.CLI_CLIENT, null, user, realm.password(user));
    }

    /**
     * A genuine token of the user that has already expired (see {@link Keycloak#expiredPasswordToken}).
     */
    public String expiredToken(String user) {
        return keycloak.expiredPasswordToken(user, realm.password(user));
    }

    /** The service's own database (tests read tables the APIs do not show, e.g. audit-service's quarantine). */
    public PostgresDatabase database(String service) {
        PostgresDatabase db = databases.get(service);
        if (db == null) {
            throw new IllegalArgumentException(service + " is not part of this stack");
        }
        return db;
    }

    /** Signs events as the service would (with its key of this run): for tests that play a buggy or hostile producer. */
    public EventSigner signer(String service) {
        KeyPair pair = signingKeys.get(service);
        if (pair == null) {
            throw new IllegalArgumentException(service + " is not part of this stack");
        }
        return new EventSigner(service + "-local", pair.getPrivate());
    }

    /**
     * Signs approval tokens with approval-service's token key of this run: for tests that play a compromised or buggy
     * approval-service, to show what flag-api still refuses.
     */
    public EventSigner approvalTokenSigner() {
        return new EventSigner("approval-service-local", approvalTokenKey.getPrivate());
    }

    /** How long each component took to become ready, in milliseconds, in start order. */
    public Map<String, Long> startTimes() {
        return startMillis;
    }

    public List<Long> servicePids() {
        return services.values().stream().map(ServiceProcess::pid).toList();
    }

    /** Kills a service abruptly (SIGKILL: no shutdown hooks, like a crashed pod) and starts it again on the same port and database. */
    public void crashAndRestart(String service) {
        ServiceProcess old = services.get(service);
        ProcessHandle.of(old.pid()).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        int port = Integer.parseInt(old.url().substring(old.url().lastIndexOf(':') + 1));
        ServiceProcess fresh = track(ServiceProcess.start(service, repoRoot.resolve(service).resolve("target/quarkus-app"),
                serviceDirs.get(service), port, serviceConfigs.get(service), START_TIMEOUT));
        services.put(service, fresh);
    }

    /**
     * Starts one more replica of a running service: the same configuration and database, its own port and work
     * directory; stopped with the stack.
     */
    public ServiceProcess startReplica(String service) {
        Map<String, String> config = serviceConfigs.get(service);
        if (config == null) {
            throw new IllegalArgumentException(service + " is not part of this stack");
        }
        try {
            Path workDir = Files.createDirectories(serviceDirs.get(service).resolveSibling(service + "-replica-" + started.size()));
            return track(ServiceProcess.start(service + "-replica", repoRoot.resolve(service).resolve("target/quarkus-app"),
                    workDir, freePort(), config, START_TIMEOUT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail(String service) {
        return services.get(service).logTail();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("Stopping " + started.get(i) + " failed: " + e.getMessage());
            }
        }
        started.clear();
    }

    private <T extends AutoCloseable> T track(T resource) {
        started.add(resource);
        return resource;
    }

    private void lap(String component, long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        startMillis.put(component, millis);
        System.out.printf("[stack] %s ready in %d ms%n", component, millis);
    }

    /** A free loopback port, from test-support's one probe (below the ephemeral range). */
    static int freePort() {
        return io.flagledger.testsupport.internal.Processes.freePort();
    }
}
