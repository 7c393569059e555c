package io.flagledger.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.approval.ApprovalTokenException;
import io.flagledger.contract.approval.ApprovalTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for flag-api's two endpoints approval-service uses, with flag-api's rules for them: bearer token
 * required, {@code If-Match} against the environment version (412), and in protected environments an approval
 * token verified with the public key and matched against the write (428 otherwise). Tests seed flags and read
 * how many writes happened through {@code /__fake/...}, and can make it fail: {@code down} answers 503,
 * {@code lose-response} applies the next write and then drops the connection (the "did it happen?" case).
 * It also receives the chat webhook ({@code /__fake/webhook}) and lists what it received.
 * The real flag-api is exercised by the end-to-end tests.
 */
public class FakeFlagApiResource implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ObjectNode> flags = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    private final java.util.List<JsonNode> webhooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String mode = "normal";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
        // the approval token key itself comes from SigningKeyResource, as for flag-api's own tests
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("flagledger.flag-api.url", base, "flagledger.notifications.webhook-url", base + "/__fake/webhook");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String[] p = path.split("/");
            if (path.startsWith("/__fake/")) {
                fakeAdmin(ex, p);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ") || auth.length() < 20) {
                send(ex, 401, problem(401, "A valid bearer token is required"));
                return;
            }
            if ("down".equals(mode)) {
                send(ex, 503, problem(503, "flag-api is down (fake)"));
                return;
            }
            // /api/v1/projects/{p}/flags/{k}[/environments/{e}]
            if (p.length < 7 || !"projects".equals(p[3]) || !"flags".equals(p[5])) {
                send(ex, 404, problem(404, "no such endpoint"));
                return;
            }
            String key = p[4] + "/" + p[6];
            ObjectNode flag = flags.get(key);
            if (flag == null) {
                send(ex, 404, problem(404, "no flag " + key));
                return;
            }
            if ("GET".equals(ex.getRequestMethod()) && p.length == 7) {
                send(ex, 200, view(flag));
            } else if ("PUT".equals(ex.getRequestMethod()) && p.length == 9) {
                write(ex, key, flag, p[8]);
            } else {
                send(ex, 405, problem(405, "method not allowed"));
            }
        }
    }

    private synchronized void write(HttpExchange ex, String key, ObjectNode flag, String environment) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody());
        ObjectNode env = (ObjectNode) flag.path("environments").get(environment);
        long version = env.path("version").asLong();
        String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
        if (ifMatch == null || Long.parseLong(ifMatch.replace("\"", "")) != version) {
            send(ex, 412, problem(412, "The environment config is at version " + version));
            return;
        }
        if ("production".equals(environment)) {
            try {
                ApprovalClaims claims = ApprovalTokens.verify(ex.getRequestHeaders().getFirst(ApprovalTokens.HEADER),
                        Map.of(SigningKeyResource.APPROVAL_KEY_ID, SigningKeyResource.approvalKeyPair().getPublic()), Instant.now());
                ApprovalTokens.requireMatches(claims, key.split("/")[0], key.split("/")[1], environment, version, body.get("config"));
            } catch (ApprovalTokenException e) {
                send(ex, 428, problem(428, e.getMessage()));
                return;
            }
        }
        env.put("version", version + 1);
        env.set("config", body.get("config"));
        writes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if ("lose-response".equals(mode)) {
            mode = "normal";
            return; // the write happened, the caller never hears about it
        }
        ObjectNode view = JSON.createObjectNode();
        view.put("environment", environment);
        view.put("version", version + 1);
        view.set("config", body.get("config"));
        send(ex, 200, view);
    }

    private void fakeAdmin(HttpExchange ex, String[] p) throws IOException {
        switch (p[2]) {
            case "flags" -> {
                flags.put(p[3] + "/" + p[4], (ObjectNode) JSON.readTree(ex.getRequestBody()));
                writes.remove(p[3] + "/" + p[4]);
                send(ex, 204, null);
            }
            case "flag" -> send(ex, 200, flags.get(p[3] + "/" + p[4]));
            case "writes" -> send(ex, 200, JSON.getNodeFactory().numberNode(
                    writes.getOrDefault(p[3] + "/" + p[4], new AtomicInteger()).get()));
            case "webhook" -> {
                webhooks.add(JSON.readTree(ex.getRequestBody()));
                send(ex, 204, null);
            }
            case "webhooks" -> send(ex, 200, JSON.valueToTree(webhooks));
            case "mode" -> {
                mode = p[3];
                send(ex, 204, null);
            }
            default -> send(ex, 404, null);
        }
    }

    private static ObjectNode view(ObjectNode flag) {
        ObjectNode view = JSON.createObjectNode();
        view.put("risk", flag.path("risk").asText(null));
        var envs = view.putArray("environments");
        flag.path("environments").fields().forEachRemaining(e -> {
            ObjectNode env = envs.addObject();
            env.put("environment", e.getKey());
            env.put("version", e.getValue().path("version").asLong());
            env.set("config", e.getValue().path("config"));
        });
        return view;
    }

    private static ObjectNode problem(int status, String detail) {
        ObjectNode p = JSON.createObjectNode();
        p.put("status", status);
        p.put("detail", detail);
        return p;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
