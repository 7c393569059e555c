package io.flagledger.testsupport.kafka;

import io.flagledger.testsupport.internal.Processes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A single-node KRaft Kafka broker in a separate JVM, bound to 127.0.0.1 on free ports.
 * <p>
 * The child JVM runs {@code io.flagledger.kafka.BrokerMain} (module kafka-broker) with the classpath that module
 * recorded at build time, so none of the broker's jars ever reach the calling JVM. The child exits when its stdin
 * reaches EOF, so it dies with the JVM that started it even if that JVM is killed.
 * <p>
 * Plain Java, no Quarkus: usable from tests, from {@link KafkaBrokerResource} and from the local stack
 * ({@link #main(String[])}).
 */
public final class KafkaBroker implements AutoCloseable {

    static final String BROKER_MAIN = "io.flagledger.kafka.BrokerMain";
    static final String BROKER_MAIN_RESOURCE = "io/flagledger/kafka/BrokerMain.class";
    static final String CLASSPATH_RESOURCE = "META-INF/flagledger/kafka-broker.classpath";
    static final String STARTED_MARKER = "FLAGLEDGER-KAFKA-STARTED";
    private static final int START_ATTEMPTS = 3;

    private final ProcessHandle handle;
    private final Process process; // null in a handle attached from another class loader's copy
    private final Path workDir;
    private final int port;
    private final Duration startupTime;
    private volatile boolean closed;

    private KafkaBroker(ProcessHandle handle, Process process, Path workDir, int port, Duration startupTime) {
        this.handle = handle;
        this.process = process;
        this.workDir = workDir;
        this.port = port;
        this.startupTime = startupTime;
        if (process != null) {
            // Registers the Process with the JDK's process reaper, which keeps it (and so the stdin pipe the broker
            // watches) strongly reachable until the broker exits, whatever happens to this object's class loader.
            process.onExit();
        }
    }

    /**
     * Starts a broker on free ports whose files (server.properties, data/, kafka.log, stdout.log) live in
     * {@code workDir}, and waits until an AdminClient can describe the cluster.
     *
     * @throws IllegalStateException if it is not ready within {@code timeout}, with the tail of the broker log
     */
    public static KafkaBroker start(Path workDir, Duration timeout) {
        return start(workDir, timeout, 0);
    }

    /**
     * Like {@link #start(Path, Duration)} but on a fixed client port ({@code 0} = a free one); the controller port
     * is always a free one. For the local stack, which wants a stable bootstrap address.
     */
    public static KafkaBroker start(Path workDir, Duration timeout, int port) {
        Path dir = workDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka work dir " + dir, e);
        }
        String classpath = brokerClasspath();
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] free = Processes.freePorts(2);
            int clientPort = port > 0 ? port : free[0];
            int controllerPort = free[1];
            Process p = launch(dir, classpath, clientPort, controllerPort);
            try {
                awaitReady(p, dir, clientPort, deadline);
                return new KafkaBroker(p.toHandle(), p, dir, clientPort, Duration.ofNanos(System.nanoTime() - begin));
            } catch (BrokerDiedException e) {
                // most likely a port race: try again with other ports while time is left
                last = new IllegalStateException("Kafka broker (attempt " + attempt + ") exited with code "
                        + e.exitCode + " before it was ready\n" + logTails(dir), null);
                if (port > 0 || System.nanoTime() > deadline) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                Processes.killTree(p);
                throw e;
            }
        }
        throw last;
    }

    /** {@code "127.0.0.1:<port>"}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Creates the topics that do not exist yet (replication factor 1); existing topics are left as they are.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        if (partitionsByTopic.isEmpty()) {
            return;
        }
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        try (Admin admin = admin()) {
            CreateTopicsResult result = admin.createTopics(topics);
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : result.values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + e.getKey(), ex.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + partitionsByTopic.keySet(), e);
        }
    }

    /** Stops the broker JVM: closes its stdin, waits, then SIGTERM / SIGKILL. Bounded (about 25 s at worst). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Processes.stopTree(handle, process, Duration.ofSeconds(12));
    }

    /** How long {@link #start} took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The broker's work dir (server.properties, data/, kafka.log). */
    public Path workDir() {
        return workDir;
    }

    /** The broker JVM. */
    ProcessHandle processHandle() {
        return handle;
    }

    /** The Process object, or null for a handle from {@link #attach}. */
    Process process() {
        return process;
    }

    /** A handle on a broker started by another copy of this class (another class loader) in this JVM. */
    static KafkaBroker attach(ProcessHandle handle, Path workDir, int port, Duration startupTime) {
        return new KafkaBroker(handle, null, workDir, port, startupTime);
    }

    int port() {
        return port;
    }

    /**
     * {@code java -cp <test-support classpath> io.flagledger.testsupport.kafka.KafkaBroker <workDir> [--port N]
     * [--timeout-seconds N] [--ignore-stdin]}: starts a broker, prints {@code KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:<port>}
     * (also written to {@code <workDir>/bootstrap.servers}) and runs until killed or until stdin reaches EOF.
     * Use {@code --ignore-stdin} when started in the background by a script (stdin is then /dev/null).
     */
    public static void main(String[] args) throws Exception {
        Path dir = null;
        int port = 0;
        long timeoutSeconds = 120;
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--timeout-seconds" -> timeoutSeconds = Long.parseLong(args[++i]);
                case "--ignore-stdin" -> watchStdin = false;
                default -> {
                    if (args[i].startsWith("--") || dir != null) {
                        System.err.println("usage: KafkaBroker <workDir> [--port N] [--timeout-seconds N] [--ignore-stdin]");
                        System.exit(2);
                    }
                    dir = Path.of(args[i]);
                }
            }
        }
        if (dir == null) {
            System.err.println("usage: KafkaBroker <workDir> [--port N] [--timeout-seconds N] [--ignore-stdin]");
            System.exit(2);
        }
        KafkaBroker broker = start(dir, Duration.ofSeconds(timeoutSeconds), port);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "flagledger-kafka-stop"));
        Files.writeString(broker.workDir().resolve("bootstrap.servers"), broker.bootstrapServers() + "\n");
        System.out.println("KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers());
        System.out.println("Kafka started in " + broker.startupTime().toMillis() + " ms; logs in "
                + broker.workDir().resolve("kafka.log"));
        System.out.flush();
        if (watchStdin) {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0 && broker.process.isAlive()) {
                // wait for EOF
            }
        } else {
            broker.process.waitFor();
        }
        System.exit(broker.process.isAlive() ? 0 : 1); // runs the shutdown hook
    }

    // ------------------------------------------------------------------------------------------------------------

    private static Process launch(Path dir, String classpath, int port, int controllerPort) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(),
                "-Xmx512m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
                "-cp", classpath,
                BROKER_MAIN, dir.toString(), Integer.toString(port), Integer.toString(controllerPort));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
        // the child must see none of the caller's JVM options
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        try {
            Files.deleteIfExists(dir.resolve("stdout.log"));
            return pb.start(); // stdin stays a pipe: the broker exits when it is closed
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + java, e);
        }
    }

    private static void awaitReady(Process p, Path dir, int port, long deadline) {
        Path stdout = dir.resolve("stdout.log");
        boolean started = false;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new BrokerDiedException(p.exitValue());
            }
            if (!started) {
                started = Processes.fileContains(stdout, STARTED_MARKER)
                        || Processes.canConnect("127.0.0.1", port, 200);
            }
            if (started && describeCluster(port)) {
                return;
            }
            Processes.sleep(started ? 250 : 100);
        }
        Processes.killTree(p);
        throw new IllegalStateException("Kafka broker on 127.0.0.1:" + port + " was not ready in time\n"
                + logTails(dir));
    }

    private static boolean describeCluster(int port) {
        try (Admin admin = admin("127.0.0.1:" + port)) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return false;
        }
    }

    private Admin admin() {
        return admin(bootstrapServers());
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "flagledger-test-support");
        return Admin.create(props);
    }

    private static String logTails(Path dir) {
        return Processes.tail(dir.resolve("stdout.log"), 20) + "\n" + Processes.tail(dir.resolve("kafka.log"), 50);
    }

    /** Launcher jar (or classes dir) of module kafka-broker + the classpath it recorded at build time. */
    static String brokerClasspath() {
        ClassLoader cl = KafkaBroker.class.getClassLoader();
        URL classUrl = cl.getResource(BROKER_MAIN_RESOURCE);
        if (classUrl == null) {
            throw new IllegalStateException(BROKER_MAIN_RESOURCE + " not found: is io.flagledger:kafka-broker a dependency?");
        }
        String launcher = launcherLocation(classUrl);
        String recorded;
        try (InputStream in = cl.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " not found: rebuild module kafka-broker");
            }
            recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String entry : recorded.split(File.pathSeparator)) {
            if (!entry.isBlank() && !Files.exists(Path.of(entry))) {
                throw new IllegalStateException("Kafka broker classpath entry " + entry
                        + " is missing: rebuild module kafka-broker on this machine (./mvnw -pl kafka-broker install)");
            }
        }
        return launcher + File.pathSeparator + recorded;
    }

    private static String launcherLocation(URL classUrl) {
        try {
            String s = classUrl.toString();
            if (s.startsWith("jar:")) {
                String jar = s.substring(4, s.indexOf("!/"));
                return Path.of(java.net.URI.create(jar)).toString();
            }
            if (s.startsWith("file:")) {
                Path classFile = Path.of(classUrl.toURI());
                Path root = classFile;
                for (int i = 0; i < BROKER_MAIN_RESOURCE.split("/").length; i++) {
                    root = root.getParent();
                }
                return root.toString();
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the code source
        }
        try {
            Class<?> c = Class.forName(BROKER_MAIN, false, KafkaBroker.class.getClassLoader());
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the kafka-broker launcher from " + classUrl, e);
        }
    }

    private static final class BrokerDiedException extends RuntimeException {
        final int exitCode;

        BrokerDiedException(int exitCode) {
            super(null, null, false, false);
            this.exitCode = exitCode;
        }
    }
}
