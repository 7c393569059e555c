package io.flagledger.audit.archive;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (Adobe S3Mock, copied to target/s3mock by the build) in its own JVM on a loopback
 * port, with a bucket created with Object Lock enabled; the archive writes to it. Stopped (and its storage
 * deleted) when the tests end; a start that takes over 120 s fails with S3Mock's log.
 */
public class S3MockResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "flagledger-archive-test";
    static final String ACCESS_KEY = "test-access-key";
    static final String SECRET_KEY = "test-secret-key";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private Process process;
    private Path dir;

    @Override
    public Map<String, String> start() {
        Path jar = Path.of("target", "s3mock", "s3mock-exec.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build through Maven (process-test-resources copies it)");
        }
        int port = freePort();
        try {
            dir = Files.createTempDirectory("flagledger-s3mock");
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                    "--com.adobe.testing.s3mock.httpPort=" + port, "--server.port=0", "--server.address=127.0.0.1",
                    "--com.adobe.testing.s3mock.store.root=" + dir.resolve("store"),
                    "--spring.main.banner-mode=off"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s3mock.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start S3Mock", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!canConnect(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = tail(dir.resolve("s3mock.log"));
                stop();
                throw new IllegalStateException("S3Mock did not start on port " + port + ":\n" + log);
            }
            sleep(200);
        }
        String endpoint = "http://127.0.0.1:" + port;
        try (S3Client s3 = client(endpoint)) {
            s3.createBucket(b -> b.bucket(BUCKET).objectLockEnabledForBucket(true));
        }
        System.setProperty("flagledger.test.s3.endpoint", endpoint);
        return Map.of(
                "flagledger.archive.s3.endpoint", endpoint,
                "flagledger.archive.s3.bucket", BUCKET,
                "flagledger.archive.s3.path-style", "true",
                "flagledger.archive.s3.region", "us-east-1",
                "flagledger.archive.s3.access-key-id", ACCESS_KEY,
                "flagledger.archive.s3.secret-access-key", SECRET_KEY);
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temp directory
            }
            dir = null;
        }
    }

    /** A client for the running S3Mock, as a test (an outside reader of the archive) would use it. */
    public static S3Client client() {
        return client(System.getProperty("flagledger.test.s3.endpoint"));
    }

    private static S3Client client(String endpoint) {
        return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
