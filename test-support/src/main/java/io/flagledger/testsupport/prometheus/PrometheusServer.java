package io.flagledger.testsupport.prometheus;

import io.flagledger.testsupport.internal.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Prometheus server (Debian package {@code prometheus}, {@code /usr/bin/prometheus}) on 127.0.0.1 and a free
 * port, with its TSDB in {@code workDir}. It scrapes the given targets every {@code scrapeInterval} and evaluates
 * rules as often, so how quickly a change in an application shows in a query is bounded by that interval.
 * Plain Java, no Quarkus.
 */
public final class PrometheusServer extends LocalProcess {

    public static final String BINARY = "/usr/bin/prometheus";

    /** One scrape job: {@code job} label, {@code host:port} targets, metrics path. */
    public record ScrapeJob(String job, List<String> targets, String metricsPath) {
    }

    private final Duration scrapeInterval;

    private PrometheusServer(List<String> command, Path workDir, int port, Duration scrapeInterval, Duration timeout) {
        super("prometheus", command, workDir, port, "/-/ready", timeout);
        this.scrapeInterval = scrapeInterval;
    }

    public static PrometheusServer start(Path workDir, List<ScrapeJob> jobs, Duration scrapeInterval, Duration timeout) {
        createDirectories(workDir);
        int port = Processes.freePort();
        String interval = scrapeInterval.toMillis() + "ms";
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: " + interval + "\n  evaluation_interval: " + interval
                + "\n  scrape_timeout: " + Math.min(scrapeInterval.toMillis(), 10_000) + "ms\nscrape_configs:\n");
        for (ScrapeJob job : jobs) {
            config.append("  - job_name: '").append(job.job()).append("'\n")
                    .append("    metrics_path: '").append(job.metricsPath()).append("'\n")
                    .append("    static_configs:\n      - targets: [");
            config.append(String.join(", ", job.targets().stream().map(t -> "'" + t + "'").toList())).append("]\n");
        }
        Path file = write(workDir.resolve("prometheus.yml"), config.toString());
        List<String> command = new ArrayList<>(List.of(BINARY,
                "--config.file=" + file,
                "--storage.tsdb.path=" + createDirectories(workDir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.retention.time=1h"));
        return new PrometheusServer(command, workDir, port, scrapeInterval, timeout);
    }

    public Duration scrapeInterval() {
        return scrapeInterval;
    }

    @Override
    public void close() {
        super.close();
        Processes.deleteRecursively(workDir().resolve("data"));
    }
}
