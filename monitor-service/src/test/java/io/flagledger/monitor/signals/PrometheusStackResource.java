package io.flagledger.monitor.signals;

import com.sun.net.httpserver.HttpServer;
import io.flagledger.testsupport.prometheus.AlertmanagerServer;
import io.flagledger.testsupport.prometheus.PrometheusServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real Prometheus scraping a tiny application every second, and a real Alertmanager. The application serves
 * 100 requests/s of synthetic traffic whose failing share is set with {@code POST /ratio?value=0.3}; its counters are
 * at {@code /metrics}. The monitor watches it as application "storefront", linked to flag {@code shop/storefront-v2}.
 * The monitor is told of a second Alertmanager (an HA pair), which AlertDeliveryTest takes down and brings back.
 */
public class PrometheusStackResource implements QuarkusTestResourceLifecycleManager {

    private HttpServer app;
    private ScheduledExecutorService traffic;
    private PrometheusServer prometheus;
    private AlertmanagerServer alertmanager;
    private AlertmanagerServer standbyAlertmanager;
    private int standby;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile double ratio;

    @Override
    public Map<String, String> start() {
        try {
            app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            app.createContext("/metrics", exchange -> {
                byte[] body = ("# TYPE demo_requests_total counter\n"
                        + "demo_requests_total{code=\"200\"} " + ok.get() + "\n"
                        + "demo_requests_total{code=\"500\"} " + failed.get() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            app.createContext("/ratio", exchange -> {
                ratio = Double.parseDouble(exchange.getRequestURI().getQuery().replace("value=", ""));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            app.start();
            traffic = Executors.newSingleThreadScheduledExecutor();
            traffic.scheduleAtFixedRate(() -> {
                long bad = Math.round(10 * ratio);
                failed.addAndGet(bad);
                ok.addAndGet(10 - bad);
            }, 0, 100, TimeUnit.MILLISECONDS);
            Path dir = Files.createTempDirectory("monitor-prometheus");
            prometheus = PrometheusServer.start(dir.resolve("prometheus"), List.of(new PrometheusServer.ScrapeJob("storefront",
                    List.of("127.0.0.1:" + app.getAddress().getPort()), "/metrics")), Duration.ofSeconds(1), Duration.ofSeconds(60));
            alertmanager = AlertmanagerServer.start(dir.resolve("alertmanager"), Duration.ofSeconds(60));
            // A second Alertmanager of an HA pair; AlertDeliveryTest takes it down (by pid) and brings it back.
            standby = io.flagledger.testsupport.internal.Processes.freePort();
            standbyAlertmanager = AlertmanagerServer.start(dir.resolve("standby-alertmanager"), standby, null, Duration.ofSeconds(60));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        System.setProperty("flagledger.test.storefront", "http://127.0.0.1:" + app.getAddress().getPort());
        System.setProperty("flagledger.test.alertmanager", alertmanager.url());
        System.setProperty("flagledger.test.standby-alertmanager-port", Integer.toString(standby));
        System.setProperty("flagledger.test.standby-alertmanager-pid", Long.toString(standbyAlertmanager.pid()));
        return Map.of(
                "flagledger.monitor.signals.prometheus-url", prometheus.url(),
                "flagledger.monitor.alerts.alertmanager-url", alertmanager.url() + ",http://127.0.0.1:" + standby,
                "flagledger.monitor.applications.storefront.query", "sum(rate(demo_requests_total{job=\"storefront\",code=~\"5..\"}[5s]))"
                        + " / sum(rate(demo_requests_total{job=\"storefront\"}[5s]))",
                "flagledger.monitor.applications.storefront.flags", "shop/storefront-v2");
    }

    @Override
    public void stop() {
        if (traffic != null) {
            traffic.shutdownNow();
        }
        if (app != null) {
            app.stop(0);
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (alertmanager != null) {
            alertmanager.close();
        }
        if (standbyAlertmanager != null) {
            standbyAlertmanager.close();
        }
    }
}
