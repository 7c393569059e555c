package io.flagledger.audit.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Splunk HTTP Event Collector, JSON endpoint ({@code /services/collector/event}): one request per batch, events
 * concatenated as HEC expects, token in {@code Authorization: Splunk <token>}. A 200 means Splunk took them all.
 * A 400/413 for one event is that event's fault (dead-letter); for a batch, HEC's {@code invalid-event-number}
 * names the culprit, or the batch is split to find it. Auth errors, 429 and 5xx are retried: a misconfigured
 * token must delay forwarding, never drop records.
 */
final class SplunkHecSink implements Sink {

    // java.net.http, not a Quarkus REST client: the customer's own Splunk endpoint and token, not a Flagledger service
    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final SiemConfig.Splunk config;
    private final String hostname;
    private final String source;
    private final SiemFormat format;

    SplunkHecSink(SiemConfig.Splunk config, String hostname, String source) {
        this.config = config;
        String base = config.hecUrl().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                "flagledger.siem.splunk.hec-url is required when the Splunk sink is enabled (env FLAGLEDGER_SIEM_SPLUNK_HEC_URL)"));
        this.token = config.hecToken().filter(t -> !t.isBlank()).orElseThrow(() -> new IllegalStateException(
                "flagledger.siem.splunk.hec-token is required when the Splunk sink is enabled (env FLAGLEDGER_SIEM_SPLUNK_HEC_TOKEN)"));
        this.endpoint = URI.create(base.replaceAll("/+$", "") + "/services/collector/event");
        this.hostname = hostname;
        this.source = source;
        this.format = SiemFormat.of(config.format(), "flagledger.siem.splunk.format");
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    @Override
    public String name() {
        return "splunk";
    }

    @Override
    public void send(List<SiemRecord> records) throws SinkException {
        StringBuilder body = new StringBuilder();
        for (SiemRecord r : records) {
            body.append(envelope(r)).append('\n');
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(config.timeout())
                .header("Authorization", "Splunk " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw SinkException.transientFailure("Splunk HEC " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SinkException.transientFailure("interrupted", e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        String detail = "Splunk HEC answered " + status + ": " + abbreviate(response.body());
        if (status != 400 && status != 413) {
            throw SinkException.transientFailure(detail, null);
        }
        if (records.size() == 1) {
            throw SinkException.rejected(0, detail);
        }
        int invalid = invalidEventNumber(response.body());
        if (invalid >= 0 && invalid < records.size()) {
            throw SinkException.rejected(invalid, detail);
        }
        int half = records.size() / 2;
        sendPart(records, 0, half);
        sendPart(records, half, records.size());
    }

    private void sendPart(List<SiemRecord> records, int from, int to) throws SinkException {
        try {
            send(records.subList(from, to));
        } catch (SinkException e) {
            if (e.isRejection()) {
                throw SinkException.rejected(from + e.rejectedIndex(), e.getMessage());
            }
            throw e;
        }
    }

    private String envelope(SiemRecord r) {
        ObjectNode hec = SiemFormat.MAPPER.createObjectNode();
        // HEC time is epoch seconds with a fraction.
        hec.put("time", BigDecimal.valueOf(r.event().timestamp().getEpochSecond())
                .add(BigDecimal.valueOf(r.event().timestamp().getNano(), 9)).stripTrailingZeros());
        hec.put("host", hostname).put("source", source).put("sourcetype", config.sourcetype());
        config.index().filter(i -> !i.isBlank()).ifPresent(i -> hec.put("index", i));
        hec.set("event", format.render(r));
        return hec.toString();
    }

    private static int invalidEventNumber(String body) {
        try {
            JsonNode n = SiemFormat.MAPPER.readTree(body).get("invalid-event-number");
            return n != null && n.canConvertToInt() ? n.asInt() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
