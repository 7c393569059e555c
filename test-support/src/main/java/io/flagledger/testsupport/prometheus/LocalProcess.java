package io.flagledger.testsupport.prometheus;

import io.flagledger.testsupport.internal.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Debian-packaged Prometheus-family binary on loopback, in its own work dir, stopped on close or JVM exit. */
abstract class LocalProcess implements AutoCloseable {

    private final Process process;
    private final Path workDir;
    private final int port;
    private final Thread shutdownHook;

    LocalProcess(String name, List<String> command, Path workDir, int port, String readyPath, Duration timeout) {
        this.workDir = workDir;
        this.port = port;
        Path log = workDir.resolve(name + ".log");
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            // the binaries are named after their Debian packages (/usr/bin/prometheus, /usr/bin/prometheus-alertmanager)
            String pkg = Path.of(command.get(0)).getFileName().toString();
            throw new UncheckedIOException("cannot start " + command.get(0) + ": install it with 'sudo apt-get install "
                    + pkg + "' (./test does it)", e);
        }
        shutdownHook = new Thread(process::destroy, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient http = HttpClient.newHttpClient();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "\n" + Processes.tail(log, 40));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + readyPath)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while starting " + name, e);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(name + " not ready within " + timeout + "\n" + Processes.tail(log, 40));
            }
            sleep(100);
        }
    }

    static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public final String url() {
        return "http://127.0.0.1:" + port;
    }

    public final int port() {
        return port;
    }

    public final Path workDir() {
        return workDir;
    }

    /** The process id, for a test that must take the process down as a crash would (without this object). */
    public final long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down, and the hook is running
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
