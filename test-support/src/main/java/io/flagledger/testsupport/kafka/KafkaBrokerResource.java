package io.flagledger.testsupport.kafka;

import io.flagledger.testsupport.internal.JvmShared;
import io.flagledger.testsupport.internal.Processes;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Quarkus test resource: one {@link KafkaBroker} per test JVM.
 * <p>
 * {@code start()} starts the broker, or reuses the one already running in this JVM (reference counted, also across
 * the class loaders Quarkus creates for test restarts); {@code stop()} closes it when the last user stops.
 * Returns {@code kafka.bootstrap.servers} (and disables Kafka Dev Services).
 * <p>
 * Init args (all optional):
 * <ul>
 *   <li>{@code topics}: topics to create up front, {@code "name:partitions,name2:partitions"} (partitions default 3);</li>
 *   <li>{@code timeout-seconds}: start-up timeout, default 90.</li>
 * </ul>
 * The work dir is {@code target/flagledger-kafka-<pid>-<n>} when the current directory has a {@code target/}
 * (the module under test), else under {@code java.io.tmpdir}; its {@code data/} is deleted on close, the logs are
 * kept.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static final String PROCESS = "kafka.process";
    private static final String PORT = "kafka.port";
    private static final String DIR = "kafka.workDir";
    private static final String USERS = "kafka.users";
    private static final String STARTUP = "kafka.startupMillis";
    private static final String GENERATION = "kafka.generation";

    private final Map<String, Integer> topics = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(90);
    private boolean started;

    @Override
    public void init(Map<String, String> initArgs) {
        String t = initArgs.get("topics");
        if (t != null) {
            for (String spec : t.split(",")) {
                spec = spec.trim();
                if (spec.isEmpty()) {
                    continue;
                }
                int colon = spec.indexOf(':');
                topics.put(colon < 0 ? spec : spec.substring(0, colon).trim(),
                        colon < 0 ? 3 : Integer.parseInt(spec.substring(colon + 1).trim()));
            }
        }
        String s = initArgs.get("timeout-seconds");
        if (s != null) {
            timeout = Duration.ofSeconds(Long.parseLong(s));
        }
    }

    @Override
    public Map<String, String> start() {
        KafkaBroker b;
        synchronized (JvmShared.LOCK) {
            b = current();
            if (b == null) {
                int generation = intValue(GENERATION) + 1;
                JvmShared.put(GENERATION, Integer.toString(generation));
                Path dir = workDir(generation);
                b = KafkaBroker.start(dir, timeout);
                JvmShared.putProcess(PROCESS, b.processHandle());
                JvmShared.put(PORT, Integer.toString(b.port()));
                JvmShared.put(DIR, dir.toString());
                JvmShared.put(STARTUP, Long.toString(b.startupTime().toMillis()));
                JvmShared.put(USERS, "0");
                System.out.println("[flagledger] Kafka broker " + b.bootstrapServers() + " started in "
                        + b.startupTime().toMillis() + " ms (logs: " + dir.resolve("kafka.log") + ")");
            }
            JvmShared.put(USERS, Integer.toString(intValue(USERS) + 1));
            started = true;
        }
        b.createTopics(topics);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", b.bootstrapServers());
        config.put("quarkus.kafka.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        synchronized (JvmShared.LOCK) {
            if (!started) {
                return;
            }
            started = false;
            int users = intValue(USERS) - 1;
            JvmShared.put(USERS, Integer.toString(users));
            if (users <= 0) {
                KafkaBroker b = current();
                forget();
                if (b != null) {
                    b.close();
                    Processes.deleteRecursively(b.workDir().resolve("data"));
                }
            }
        }
    }

    /** Bootstrap servers of the broker this resource started in this JVM. */
    public static String bootstrapServers() {
        synchronized (JvmShared.LOCK) {
            KafkaBroker b = current();
            if (b == null) {
                throw new IllegalStateException("KafkaBrokerResource has not been started in this JVM");
            }
            return b.bootstrapServers();
        }
    }

    /** The broker JVM of this resource, for tests. */
    static ProcessHandle brokerProcess() {
        synchronized (JvmShared.LOCK) {
            KafkaBroker b = current();
            if (b == null) {
                throw new IllegalStateException("KafkaBrokerResource has not been started in this JVM");
            }
            return b.processHandle();
        }
    }

    private static KafkaBroker current() {
        Optional<ProcessHandle> p = JvmShared.liveProcess(PROCESS);
        if (p.isEmpty()) {
            forget();
            return null;
        }
        return KafkaBroker.attach(p.get(), Path.of(JvmShared.get(DIR)), Integer.parseInt(JvmShared.get(PORT)),
                Duration.ofMillis(Long.parseLong(JvmShared.get(STARTUP))));
    }

    private static void forget() {
        for (String key : new String[] {PROCESS, PORT, DIR, USERS, STARTUP}) {
            JvmShared.remove(key);
        }
    }

    private static int intValue(String key) {
        String v = JvmShared.get(key);
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static Path workDir(int generation) {
        String name = "flagledger-kafka-" + ProcessHandle.current().pid() + "-" + generation;
        Path target = Path.of("target").toAbsolutePath();
        Path base = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve(name);
    }
}
