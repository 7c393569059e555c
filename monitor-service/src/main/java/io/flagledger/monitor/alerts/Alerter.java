package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.rules.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Sends alerts to Prometheus Alertmanager (v2 API) and to a generic webhook. Delivery is best effort and reported
 * back per receiver, so the ledger shows who was told; a failed delivery does not undo the detection or the revert.
 */
@ApplicationScoped
public class Alerter {

    private static final Logger LOG = Logger.getLogger(Alerter.class);

    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    MonitorConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    /** Receiver → "sent" or why not; empty when no receiver is configured. */
    public Map<String, String> send(Alert alert) {
        Map<String, String> results = new LinkedHashMap<>();
        config.alerts().alertmanagerUrl().filter(u -> !u.isBlank()).ifPresent(url ->
                results.put("alertmanager", post(url.replaceAll("/+$", "") + "/api/v2/alerts", alertmanagerBody(alert), "alertmanager")));
        config.alerts().webhookUrl().filter(u -> !u.isBlank()).ifPresent(url ->
                results.put("webhook", post(url, alert.webhookBody(json.createObjectNode()).toString(), "webhook")));
        return results;
    }

    private String alertmanagerBody(Alert alert) {
        ArrayNode alerts = json.createArrayNode();
        ObjectNode a = alerts.addObject();
        alert.labels().forEach(a.putObject("labels")::put);
        alert.annotations().forEach(a.putObject("annotations")::put);
        a.put("startsAt", alert.detection().detectedAt().toString());
        return alerts.toString();
    }

    private String post(String url, String body, String receiver) {
        String result;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(config.alerts().timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            result = response.statusCode() / 100 == 2 ? "sent" : "refused: HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = "failed: interrupted";
        } catch (Exception e) {
            result = "failed: " + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
        }
        if (!result.equals("sent")) {
            LOG.warnf("Alert to %s not delivered: %s", receiver, result);
        }
        registry.counter("flagledger.monitor.alerts", "receiver", receiver, "outcome", result.equals("sent") ? "sent" : "failed").increment();
        return result;
    }
}
