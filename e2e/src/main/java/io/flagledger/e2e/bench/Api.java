package io.flagledger.e2e.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of the flag-api management API to set a benchmark up. */
final class Api {

    private static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"(fl-[^\"]+)\"");
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String editorToken;
    private final String adminToken;

    Api(String base, String editorToken, String adminToken) {
        this.base = base;
        this.editorToken = editorToken;
        this.adminToken = adminToken;
    }

    void createFlagWithRules(String project, String environment, String key) throws Exception {
        send("POST", "/api/v1/projects/" + project + "/flags", editorToken,
                "{\"key\":\"" + key + "\",\"name\":\"" + key + "\",\"kind\":\"ops\"}", 201);
        String config = """
                {"config":{"enabled":true,"offVariation":"off",
                 "targets":[{"variation":"on","values":["vip-1","vip-2"]}],
                 "rules":[
                   {"id":"dutch-gold","clauses":[{"attribute":"country","operator":"in","values":["NL","BE"]},
                                                 {"attribute":"plan","operator":"in","values":["gold"]}],
                    "serve":{"rollout":{"variations":[{"variation":"on","weight":25000},{"variation":"off","weight":75000}]}}},
                   {"id":"staff","clauses":[{"attribute":"email","operator":"endsWith","values":["@example.com"]}],
                    "serve":{"variation":"on"}}],
                 "fallthrough":{"rollout":{"variations":[{"variation":"on","weight":10000},{"variation":"off","weight":90000}]}}}}""";
        send("PUT", "/api/v1/projects/" + project + "/flags/" + key + "/environments/" + environment, editorToken, config, 200);
    }

    String issueSdkKey(String project, String environment) throws Exception {
        String body = send("POST", "/api/v1/projects/" + project + "/environments/" + environment + "/sdk-keys", adminToken,
                "{\"kind\":\"server\"}", 201);
        Matcher m = KEY.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no key in " + body);
        }
        return m.group(1);
    }

    /** Waits until the snapshot serves {@code flag}. */
    void awaitEvaluable(String sdkKey, String flag) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ofrep/v1/evaluate/flags/" + flag))
                    .header("Authorization", "Bearer " + sdkKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"u\"}}")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(flag + " never became evaluable");
    }

    /** Creates a flag serving "on" to 50% of targeting keys (the side-by-side benchmark's flag). */
    void createRolloutFlag(String project, String environment, String key) throws Exception {
        send("POST", "/api/v1/projects/" + project + "/flags", editorToken, "{\"key\":\"" + key + "\",\"name\":\"" + key + "\"}", 201);
        send("PUT", "/api/v1/projects/" + project + "/flags/" + key + "/environments/" + environment, editorToken,
                "{\"config\":{\"enabled\":true,\"offVariation\":\"off\",\"fallthrough\":{\"rollout\":{\"variations\":"
                        + "[{\"variation\":\"on\",\"weight\":50000},{\"variation\":\"off\",\"weight\":50000}]}}}}", 200);
    }

    /** @return System.nanoTime() when the change was committed (the response arrived) */
    long toggle(String project, String environment, String key, boolean enabled) throws Exception {
        send("POST", "/api/v1/projects/" + project + "/flags/" + key + "/environments/" + environment + "/toggle", editorToken,
                "{\"enabled\":" + enabled + "}", 200);
        return System.nanoTime();
    }

    private String send(String method, String path, String token, String body, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
