package io.flagledger.common.outbox;

import io.flagledger.testsupport.kafka.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Kafka broker of this test's own, on a fixed port, that a test can stop and start again (same port, same data):
 * the relay under test keeps its producer and must resume once the broker is back. The broker's address is kept
 * in system properties (port, work dir, pid), so the test and this resource need not share a class loader.
 */
public class RestartableKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOPICS = "outbox.one:3,outbox.two:1,outbox.security:1";
    private static final String PORT = "flagledger.test.outbox-kafka.port";
    private static final String DIR = "flagledger.test.outbox-kafka.dir";
    private static final String PID = "flagledger.test.outbox-kafka.pid";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Override
    public Map<String, String> start() {
        int port = freePort();
        Path target = Path.of("target").toAbsolutePath();
        Path dir = (Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir")))
                .resolve("outbox-kafka-" + ProcessHandle.current().pid());
        System.setProperty(PORT, Integer.toString(port));
        System.setProperty(DIR, dir.toString());
        KafkaBroker broker = KafkaBroker.start(dir, TIMEOUT, port);
        remember(broker);
        Map<String, Integer> topics = new java.util.LinkedHashMap<>();
        for (String spec : TOPICS.split(",")) {
            String[] parts = spec.split(":");
            topics.put(parts[0], Integer.parseInt(parts[1]));
        }
        broker.createTopics(topics);
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        stopBroker();
        String dir = System.getProperty(DIR);
        if (dir != null) {
            deleteRecursively(Path.of(dir, "data"));
        }
    }

    public static String bootstrapServers() {
        return "127.0.0.1:" + System.getProperty(PORT);
    }

    /** Stops the broker (SIGTERM, then SIGKILL) and waits until it is gone. */
    public static void stopBroker() {
        broker().ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                p.onExit().join();
            }
        });
    }

    /** Starts the broker again on the same port and work dir, so its topics and records are still there. */
    public static void startBroker() {
        remember(KafkaBroker.start(Path.of(System.getProperty(DIR)), TIMEOUT, Integer.parseInt(System.getProperty(PORT))));
    }

    public static boolean brokerRunning() {
        return broker().isPresent();
    }

    private static java.util.Optional<ProcessHandle> broker() {
        String pid = System.getProperty(PID);
        return pid == null ? java.util.Optional.empty()
                : ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
    }

    /** The broker JVM's pid ({@code KafkaBroker.processHandle()} is package-private, so by reflection). */
    private static void remember(KafkaBroker broker) {
        try {
            java.lang.reflect.Method handle = KafkaBroker.class.getDeclaredMethod("processHandle");
            handle.setAccessible(true);
            System.setProperty(PID, Long.toString(((ProcessHandle) handle.invoke(broker)).pid()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot find the broker's process", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftovers under target/ are harmless
        }
    }
}
