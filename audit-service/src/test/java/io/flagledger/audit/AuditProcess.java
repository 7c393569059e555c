package io.flagledger.audit;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.testsupport.internal.Processes;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged audit-service ({@code target/quarkus-app}) in its own JVM, against a given Kafka and database, so
 * a benchmark or a robustness test can measure it as deployed and kill it with SIGKILL mid-batch. No OIDC unless
 * {@code extra} configures it (the proof benchmark verifies its own tokens with a local public key).
 */
public final class AuditProcess implements AutoCloseable {

    /** audit-service's own key, the same across restarts in one run (events it signed stay verifiable). */
    private static final KeyPair SELF = Ed25519Keys.generate();

    private final Process process;
    private final Path log;
    private final int port;

    private AuditProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The HTTP port it listens on (loopback). */
    public int port() {
        return port;
    }

    /**
     * @param producerKeyId the key id flag-api events are signed with; {@code producer} its key pair
     * @param checkpointKey the checkpoint signing key
     */
    public static AuditProcess start(Path workDir, PostgresDatabase db, String bootstrap, String producerKeyId,
                                     KeyPair producer, KeyPair checkpointKey, Map<String, String> extra) {
        Path app = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(app)) {
            app = Path.of("audit-service/target/quarkus-app/quarkus-run.jar");
        }
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException("audit-service is not packaged: run ./mvnw -pl audit-service package -DskipTests");
        }
        int port = Processes.freePort();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.port", String.valueOf(port));
        config.put("quarkus.datasource.reactive.url", db.reactiveUrl());
        config.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        config.put("quarkus.datasource.username", db.username());
        config.put("quarkus.datasource.password", db.password());
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("quarkus.oidc.tenant-enabled", "false");
        config.put("flagledger.signing.key-id", "audit-service-bench");
        config.put("flagledger.signing.private-key", Ed25519Keys.encodePrivate(SELF.getPrivate()));
        config.put("flagledger.audit.trusted-keys.\"" + producerKeyId + "\".service", "flag-api");
        config.put("flagledger.audit.trusted-keys.\"" + producerKeyId + "\".public-key", Ed25519Keys.encodePublic(producer.getPublic()));
        config.put("flagledger.checkpoint.private-key", Ed25519Keys.encodePrivate(checkpointKey.getPrivate()));
        config.put("flagledger.checkpoint.origin", "flagledger.bench/audit");
        config.putAll(extra);
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("audit-service.log");
            // Keys go into an owner-only config/application.properties (read from the working directory), not
            // onto the command line, which every user of the machine can see.
            Path configFile = Files.createDirectories(workDir.resolve("config")).resolve("application.properties");
            Files.deleteIfExists(configFile);
            Files.createFile(configFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            StringBuilder text = new StringBuilder();
            config.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(configFile, text);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m"));
            // A benchmark may profile the service, e.g. -Daudit.jvm.options=-XX:StartFlightRecording=filename=x.jfr
            String options = System.getProperty("audit.jvm.options", "").trim();
            if (!options.isEmpty()) {
                command.addAll(List.of(options.split("\\s+")));
            }
            command.addAll(List.of("-jar", app.toAbsolutePath().toString()));
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            AuditProcess started = new AuditProcess(p, log, port);
            started.awaitReady(port, Duration.ofSeconds(90));
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(int port, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("audit-service exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(200);
            } catch (IOException e) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        kill();
        throw new IllegalStateException("audit-service was not ready within " + timeout + ":\n" + logTail());
    }

    /** The service's process id, e.g. to read its CPU time. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no offset commit, no flush: a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
