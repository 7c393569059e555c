package io.flagledger.monitor.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.monitor.rules.MonitorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Reads error ratios from Prometheus's HTTP API. An expression is expected to give one series (a ratio); when it
 * gives several, the worst is taken. NaN (no traffic: 0/0) counts as no sample.
 */
@ApplicationScoped
public class PrometheusClient {

    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    MonitorConfig config;

    @Inject
    ObjectMapper json;

    /** The value of {@code expr} at {@code time}. */
    public OptionalDouble valueAt(String expr, Instant time) {
        JsonNode data = get("/api/v1/query?query=" + encode(expr) + "&time=" + seconds(time));
        double worst = Double.NaN;
        for (JsonNode series : data.path("result")) {
            double v = number(series.path("value").path(1));
            worst = Double.isNaN(worst) || v > worst ? v : worst;
        }
        return Double.isNaN(worst) ? OptionalDouble.empty() : OptionalDouble.of(worst);
    }

    /** Samples of {@code expr} from {@code start} to {@code end} every {@code step}, oldest first. */
    public List<Sample> range(String expr, Instant start, Instant end, Duration step) {
        JsonNode data = get("/api/v1/query_range?query=" + encode(expr) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + Math.max(1, step.toMillis()) / 1000.0);
        List<Sample> samples = new ArrayList<>();
        for (JsonNode series : data.path("result")) {
            for (JsonNode point : series.path("values")) {
                double v = number(point.path(1));
                if (!Double.isNaN(v)) {
                    samples.add(new Sample(Instant.ofEpochMilli(Math.round(point.path(0).asDouble() * 1000)), v));
                }
            }
        }
        samples.sort(java.util.Comparator.comparing(Sample::at));
        return samples;
    }

    private JsonNode get(String pathAndQuery) {
        String base = config.signals().prometheusUrl().orElseThrow(() -> new IllegalStateException("no Prometheus URL configured"));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + pathAndQuery))
                    .timeout(config.signals().timeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = json.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus answered " + response.statusCode() + ": " + body.path("error").asText(response.body()));
            }
            return body.path("data");
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus not reachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double number(JsonNode value) {
        try {
            return Double.parseDouble(value.asText("NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String seconds(Instant t) {
        return String.format(java.util.Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
