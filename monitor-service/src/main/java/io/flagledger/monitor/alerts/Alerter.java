package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.monitor.rules.MonitorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The receivers alerts go to, by name, and one delivery attempt to one of them: Prometheus Alertmanager (v2 API;
 * {@code alertmanager}, or {@code alertmanager}, {@code alertmanager-2}, ... for an HA set, each told every alert as
 * Prometheus does) and a generic webhook ({@code webhook}). Retries, backoff and dead letters are
 * {@link AlertRelay}'s; this class only says whether an attempt worked and whether another could.
 */
@ApplicationScoped
public class Alerter {

    public static final String WEBHOOK = "webhook";
    public static final String ALERTMANAGER = "alertmanager";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    MonitorConfig config;

    /** One attempt's result; {@code permanent}: the receiver refused this alert itself, another attempt cannot help. */
    public record Attempt(boolean sent, boolean permanent, String detail) {
        static Attempt ok() {
            return new Attempt(true, false, "sent");
        }
    }

    /** The state of an alert at send time, as the alert table holds it. */
    public record Queued(JsonNode document, String fingerprint, Instant startsAt, Instant endsAt, boolean resolved) {
    }

    /** Receiver name → URL, in configuration order; empty when none is configured. */
    public Map<String, String> receivers() {
        Map<String, String> receivers = new LinkedHashMap<>();
        List<String> managers = config.alerts().alertmanagerUrl().orElse(List.of()).stream()
                .map(String::trim).filter(u -> !u.isBlank()).toList();
        for (int i = 0; i < managers.size(); i++) {
            receivers.put(i == 0 ? ALERTMANAGER : ALERTMANAGER + "-" + (i + 1),
                    managers.get(i).replaceAll("/+$", "") + "/api/v2/alerts");
        }
        config.alerts().webhookUrl().filter(u -> !u.isBlank()).ifPresent(url -> receivers.put(WEBHOOK, url));
        return receivers;
    }

    public Attempt send(String receiver, Queued alert) {
        String url = receivers().get(receiver);
        if (url == null) {
            return new Attempt(false, true, "receiver " + receiver + " is no longer configured");
        }
        String body = receiver.equals(WEBHOOK) ? webhookBody(alert).toString() : alertmanagerBody(alert).toString();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(config.alerts().timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return Attempt.ok();
            }
            // 4xx other than time-out and rate limiting: this alert is refused as it is, and will be again.
            boolean permanent = status / 100 == 4 && status != 408 && status != 429;
            return new Attempt(false, permanent, "HTTP " + status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(false, false, "interrupted");
        } catch (Exception e) {
            return new Attempt(false, false, e.getClass().getSimpleName() + ": "
                    + Optional.ofNullable(e.getMessage()).orElse("no detail"));
        }
    }

    /**
     * Alertmanager's v2 body. {@code endsAt} in the past resolves the alert; in the future (a single change's alert)
     * it says when it ends by itself. Absent, Alertmanager would end it after its resolve_timeout (5 min).
     */
    static ArrayNode alertmanagerBody(Queued alert) {
        ArrayNode alerts = JsonNodeFactory.instance.arrayNode();
        ObjectNode a = alerts.addObject();
        a.set("labels", alert.document().path("labels").deepCopy());
        a.set("annotations", alert.document().path("annotations").deepCopy());
        a.put("startsAt", alert.startsAt().toString());
        if (alert.endsAt() != null) {
            a.put("endsAt", alert.endsAt().toString());
        }
        if (alert.document().hasNonNull("generator_url")) {
            a.put("generatorURL", alert.document().path("generator_url").asText());
        }
        return alerts;
    }

    /** The generic webhook's body: labels and annotations flat, the status, the deduplication key and details. */
    static ObjectNode webhookBody(Queued alert) {
        ObjectNode target = JsonNodeFactory.instance.objectNode();
        alert.document().path("labels").fields().forEachRemaining(f -> target.set(f.getKey(), f.getValue()));
        alert.document().path("annotations").fields().forEachRemaining(f -> target.set(f.getKey(), f.getValue()));
        target.put("status", alert.resolved() ? "resolved" : "firing");
        target.put("fingerprint", alert.fingerprint());
        target.put("starts_at", alert.startsAt().toString());
        if (alert.endsAt() != null) {
            target.put("ends_at", alert.endsAt().toString());
        }
        target.set("detected_at", alert.document().path("detected_at"));
        target.set("details", alert.document().path("details"));
        return target;
    }
}
