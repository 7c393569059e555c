package io.flagledger.testsupport.kafka;

import io.flagledger.testsupport.internal.Processes;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quarkus test resource: one {@link KafkaBroker} per test JVM.
 * <p>
 * {@code start()} starts the broker, or reuses the one already running in this JVM (reference counted);
 * {@code stop()} closes it when the last user stops. Returns {@code kafka.bootstrap.servers}.
 * <p>
 * Init args (all optional):
 * <ul>
 *   <li>{@code topics}: topics to create up front, {@code "name:partitions,name2:partitions"} (partitions default 3);</li>
 *   <li>{@code timeout-seconds}: start-up timeout, default 90.</li>
 * </ul>
 * The work dir is {@code target/flagledger-kafka-<pid>-<n>} when the current directory has a {@code target/}
 * (the module being tested), else under {@code java.io.tmpdir}; its {@code data/} is deleted on close, the logs are
 * kept.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static final Object LOCK = new Object();
    private static KafkaBroker broker;
    private static int users;
    private static int generation;

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
        synchronized (LOCK) {
            if (broker == null || !broker.process().isAlive()) {
                Path dir = workDir();
                broker = KafkaBroker.start(dir, timeout);
                System.out.println("[flagledger] Kafka broker " + broker.bootstrapServers() + " started in "
                        + broker.startupTime().toMillis() + " ms (logs: " + dir.resolve("kafka.log") + ")");
            }
            users++;
            started = true;
            b = broker;
        }
        b.createTopics(topics);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", b.bootstrapServers());
        config.put("quarkus.kafka.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        synchronized (LOCK) {
            if (!started) {
                return;
            }
            started = false;
            users--;
            if (users <= 0 && broker != null) {
                Path dir = broker.workDir();
                broker.close();
                broker = null;
                users = 0;
                Processes.deleteRecursively(dir.resolve("data"));
            }
        }
    }

    /** Bootstrap servers of the broker started by this resource in this JVM. */
    public static String bootstrapServers() {
        synchronized (LOCK) {
            if (broker == null) {
                throw new IllegalStateException("KafkaBrokerResource has not been started in this JVM");
            }
            return broker.bootstrapServers();
        }
    }

    private static Path workDir() {
        String name = "flagledger-kafka-" + ProcessHandle.current().pid() + "-" + (++generation);
        Path target = Path.of("target").toAbsolutePath();
        Path base = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve(name);
    }
}
