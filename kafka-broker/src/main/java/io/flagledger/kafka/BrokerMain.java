package io.flagledger.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a single-node KRaft (combined broker + controller) Kafka in this JVM.
 *
 * <pre>
 * java -cp kafka-broker.jar:&lt;recorded classpath&gt; io.flagledger.kafka.BrokerMain &lt;workDir&gt; [port [controllerPort]] [--ignore-stdin]
 * </pre>
 *
 * <ul>
 *   <li>writes {@code <workDir>/server.properties} (listeners on 127.0.0.1 only),</li>
 *   <li>formats {@code <workDir>/data} with {@code kafka.tools.StorageTool} in-process unless already formatted,</li>
 *   <li>logs to {@code <workDir>/kafka.log} and prints {@value #STARTED_MARKER} on stdout once the broker is up,</li>
 *   <li>exits when its stdin reaches EOF (the parent JVM died or closed the pipe), unless {@code --ignore-stdin}.</li>
 * </ul>
 *
 * Must be started in its own JVM with exactly the classpath this module records in
 * {@value #CLASSPATH_RESOURCE}: the Kafka server needs its own slf4j/log4j/Jackson/Scala versions.
 */
public final class BrokerMain {

    /** Line printed on stdout once the broker reported "Kafka Server started" (see kafka-log4j2.xml). */
    public static final String STARTED_MARKER = "FLAGLEDGER-KAFKA-STARTED";
    /** Classpath resource holding the broker's runtime classpath (path-separator separated absolute paths). */
    public static final String CLASSPATH_RESOURCE = "META-INF/flagledger/kafka-broker.classpath";
    static final String LOG4J_CONFIG_RESOURCE = "META-INF/flagledger/kafka-log4j2.xml";

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        boolean watchStdin = true;
        for (String a : args) {
            if (a.equals("--ignore-stdin")) {
                watchStdin = false;
            } else if (a.startsWith("--")) {
                usage("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty() || positional.size() > 3) {
            usage("expected <workDir> [port [controllerPort]]");
        }
        Path workDir = Path.of(positional.get(0)).toAbsolutePath().normalize();
        int port = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : freePort();
        int controllerPort = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : freePort();
        Files.createDirectories(workDir);

        // Logging must be configured before the first Kafka class (and thus slf4j/log4j) is touched.
        System.setProperty("flagledger.kafka.dir", workDir.toString());
        System.setProperty("log4j2.configurationFile", "classpath:" + LOG4J_CONFIG_RESOURCE);
        System.setProperty("log4j2.shutdownHookEnabled", "false"); // keep logging alive while Kafka's own hook runs
        System.setProperty("log4j.shutdownHookEnabled", "false");

        if (watchStdin) {
            startStdinWatcher(System.in);
        }

        Path props = writeServerProperties(workDir, port, controllerPort);
        format(workDir, props);

        System.out.println("FLAGLEDGER-KAFKA-BOOTSTRAP=127.0.0.1:" + port);
        System.out.flush();
        // Blocks until the server shuts down; Kafka calls Exit.exit itself on fatal errors.
        kafka.Kafka.main(new String[] {props.toString()});
    }

    static Path writeServerProperties(Path workDir, int port, int controllerPort) throws IOException {
        Path data = workDir.resolve("data");
        Files.createDirectories(data);
        String content = String.join("\n",
                "# Written by io.flagledger.kafka.BrokerMain; rewritten at every start.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "num.partitions=3",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "num.network.threads=2",
                "num.io.threads=4",
                "background.threads=4",
                "num.recovery.threads.per.data.dir=1",
                "log.retention.hours=168",
                "log.segment.bytes=16777216",
                "log.cleaner.dedupe.buffer.size=2097152",
                "log.cleaner.threads=1",
                "") ;
        Path file = workDir.resolve("server.properties");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** Formats the log directory in-process (StorageTool.execute does not exit the JVM). */
    static void format(Path workDir, Path props) {
        if (Files.exists(workDir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", props.toString(), "--ignore-formatted"}, ps);
        }
        String text = out.toString(StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
            System.out.println(text);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed with exit code " + rc + ": " + text);
        }
    }

    private static void startStdinWatcher(InputStream in) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // discard; we only care about EOF
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            System.err.println("flagledger: stdin closed, stopping Kafka");
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(8_000);
                } catch (InterruptedException ignored) {
                    // fall through
                }
                System.err.println("flagledger: Kafka did not stop in time, halting");
                Runtime.getRuntime().halt(1);
            }, "flagledger-halt");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "flagledger-stdin-watcher");
        t.setDaemon(true);
        t.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void usage(String problem) {
        System.err.println("BrokerMain: " + problem);
        System.err.println("usage: java -cp <jar>:<classpath> io.flagledger.kafka.BrokerMain <workDir> [port [controllerPort]] [--ignore-stdin]");
        System.exit(2);
    }
}
