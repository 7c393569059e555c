package io.flagledger.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stack (flag-api, approval-service, audit-service, real Kafka, PostgreSQL and Keycloak) shared by the
 * approval end-to-end tests, stopped when the test JVM exits. approval-service reaches flag-api through
 * {@link #proxy}, a transparent HTTP relay that can also crash approval-service right after flag-api accepted
 * a write: the moment where an apply is most easily lost or repeated.
 */
final class ApprovalStack {

    private static Stack stack;
    private static FlagApiProxy proxy;

    private ApprovalStack() {
    }

    static synchronized Stack get() {
        if (stack == null) {
            proxy = new FlagApiProxy();
            Path root = Path.of(System.getProperty("flagledger.root", "..")).toAbsolutePath().normalize();
            stack = Stack.start(root, root.resolve("e2e/target/stack-approvals"),
                    List.of("flag-api", "approval-service", "audit-service"),
                    Map.of("approval-service", Map.of(
                            "flagledger.flag-api.url", proxy.url(),
                            "flagledger.apply.lease", "3s",
                            "flagledger.denials.window", "5s"),
                            // repeated refusals of one caller become a summary after 5 s, not 60 (ApprovalBypassIT)
                            "flag-api", Map.of("flagledger.denials.window", "5s")));
            proxy.target = stack.url("flag-api");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stack.close();
                proxy.server.stop(0);
            }));
            System.out.println("[e2e] approval stack start times (ms): " + stack.startTimes());
        }
        return stack;
    }

    static FlagApiProxy proxy() {
        get();
        return proxy;
    }

    /** Relays approval-service's calls to flag-api; optionally crashes approval-service after a write went through. */
    static final class FlagApiProxy {

        private final HttpServer server;
        private final HttpClient http = HttpClient.newHttpClient();
        volatile String target;
        /** While set, the next successful PUT is answered by killing and restarting approval-service instead. */
        volatile boolean crashAfterNextWrite;
        final AtomicInteger writesForwarded = new AtomicInteger();

        FlagApiProxy() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", this::relay);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void relay(HttpExchange ex) throws IOException {
            try (ex; InputStream in = ex.getRequestBody()) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                        .timeout(Duration.ofSeconds(20))
                        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(in.readAllBytes()));
                for (String h : List.of("Authorization", "Content-Type", "If-Match", "X-Correlation-Id", "X-Flagledger-Approval")) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) {
                        request.header(h, v);
                    }
                }
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                if ("PUT".equals(ex.getRequestMethod()) && response.statusCode() == 200) {
                    writesForwarded.incrementAndGet();
                    if (crashAfterNextWrite) {
                        crashAfterNextWrite = false;
                        // flag-api has committed the change; approval-service dies before it hears so
                        stack.crashAndRestart("approval-service");
                        return;
                    }
                }
                response.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
                response.headers().firstValue("ETag").ifPresent(v -> ex.getResponseHeaders().set("ETag", v));
                ex.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
                ex.getResponseBody().write(response.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
