package io.flagledger.testsupport.prometheus;

import io.flagledger.testsupport.internal.Processes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus Alertmanager (Debian package {@code prometheus-alertmanager}) on 127.0.0.1 and a free port,
 * clustering off, with one receiver that sends nowhere: tests read what arrived through its v2 API
 * ({@link #alertsJson()}). Plain Java, no Quarkus.
 */
public final class AlertmanagerServer extends LocalProcess {

    public static final String BINARY = "/usr/bin/prometheus-alertmanager";

    private AlertmanagerServer(List<String> command, Path workDir, int port, Duration timeout) {
        super("alertmanager", command, workDir, port, "/-/ready", timeout);
    }

    public static AlertmanagerServer start(Path workDir, Duration timeout) {
        return start(workDir, Processes.freePort(), null, timeout);
    }

    /**
     * On a given port (a test that needs Alertmanager to be down first reserves one and starts it later), and
     * optionally notifying {@code webhookUrl} (Alertmanager's webhook receiver, resolved alerts included), so a test
     * can count the notifications people would get rather than the alerts Alertmanager holds.
     */
    public static AlertmanagerServer start(Path workDir, int port, String webhookUrl, Duration timeout) {
        createDirectories(workDir);
        String receiver = webhookUrl == null ? "" : """
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                """.formatted(webhookUrl);
        Path config = write(workDir.resolve("alertmanager.yml"), """
                route:
                  receiver: 'record-only'
                  group_by: ['alertname', 'rule', 'flag', 'environment']
                  group_wait: 1s
                  group_interval: 1s
                receivers:
                  - name: 'record-only'
                """ + receiver);
        return new AlertmanagerServer(List.of(BINARY,
                "--config.file=" + config,
                "--storage.path=" + createDirectories(workDir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=info"), workDir, port, timeout);
    }

    /** {@code GET /api/v2/alerts}: the alerts Alertmanager holds now, as its JSON array. */
    public String alertsJson() {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException("Alertmanager not reachable: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        super.close();
        Processes.deleteRecursively(workDir().resolve("data"));
    }
}
