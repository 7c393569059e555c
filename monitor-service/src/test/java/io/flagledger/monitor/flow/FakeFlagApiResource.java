package io.flagledger.monitor.flow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A local HTTP receiver standing in for flag-api's write endpoint and for the generic alert webhook. It answers a
 * revert with 200 (new version = If-Match + 1), or 412 for flags whose key contains {@code changed-since}, and
 * records every request; {@code GET /recorded} returns them as a JSON array (the test reads them over HTTP, so
 * Quarkus's class loaders do not matter).
 */
public class FakeFlagApiResource implements QuarkusTestResourceLifecycleManager {

    private HttpServer server;
    private final List<String> recorded = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        System.setProperty("flagledger.test.fake-flag-api", url);
        return Map.of("flagledger.monitor.revert.flag-api-url", url,
                "flagledger.monitor.alerts.webhook-url", url + "/webhook");
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] answer;
        int status;
        if (path.equals("/recorded")) {
            synchronized (recorded) {
                answer = ("[" + String.join(",", recorded) + "]").getBytes(StandardCharsets.UTF_8);
            }
            status = 200;
        } else {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder json = new StringBuilder("{\"method\":").append(quote(exchange.getRequestMethod()))
                    .append(",\"path\":").append(quote(path)).append(",\"headers\":{");
            String[] names = {"Authorization", "If-Match", "X-Correlation-Id", "X-Flagledger-Revert-Of", "X-Flagledger-Channel"};
            for (int i = 0; i < names.length; i++) {
                json.append(i == 0 ? "" : ",").append(quote(names[i])).append(':').append(quote(exchange.getRequestHeaders().getFirst(names[i])));
            }
            json.append("},\"body\":").append(body.isBlank() ? "null" : body).append('}');
            synchronized (recorded) {
                recorded.add(json.toString());
            }
            String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
            if (path.contains("changed-since")) {
                status = 412;
                answer = "{\"status\":412,\"title\":\"Precondition Failed\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                long version = ifMatch == null ? 0 : Long.parseLong(ifMatch.replace("\"", "")) + 1;
                answer = ("{\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8);
            }
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** The requests the stand-in recorded whose path contains {@code pathPart}. */
    static List<com.fasterxml.jackson.databind.JsonNode> requestsTo(String pathPart) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(System.getProperty("flagledger.test.fake-flag-api") + "/recorded")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        List<com.fasterxml.jackson.databind.JsonNode> matching = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).forEach(r -> {
            if (r.path("path").asText().contains(pathPart)) {
                matching.add(r);
            }
        });
        return matching;
    }
}
