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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for flag-api's endpoints approval-service uses (a flag, a flag environment write, a segment read and write), with flag-api's rules for them: bearer token
 * required, {@code If-Match} against the environment version (412), and in protected environments an approval
 * token verified with the public key and matched against the write (428 otherwise). Tests seed flags and read
 * how many writes happened through {@code /__fake/...}, and can make it fail: {@code down} answers 503,
 * {@code lose-response} applies the next write and then drops the connection (the "did it happen?" case).
 * It also receives the chat webhook ({@code /__fake/webhook}) and lists what it received, and stands in for
 * audit-service's event search ({@code /api/v1/audit/events}): it answers as audit-service would for the token's roles
 * (403 without {@code audit-reader}) and lists the claims of every token it was read with ({@code /__fake/audit-reads}).
 * The real flag-api is exercised by the end-to-end tests.
 */
public class FakeFlagApiResource implements QuarkusTestResourceLifecycleManager {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Mode in which every write is refused as flag-api refuses it during an incident freeze (423 naming it). */
    public static final String FROZEN = "frozen";
    public static final String FREEZE_ID = "0193b8a4-6f1e-7c2a-9d4e-5a6b7c8d9e0f";

    private final Map<String, ObjectNode> flags = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    /** Segments by project/environment/key: {version, definition}. */
    private final Map<String, ObjectNode> segments = new ConcurrentHashMap<>();
    /** The last approval token a segment write was admitted with, for tests to inspect its claims. */
    private final Map<String, ApprovalClaims> approvals = new ConcurrentHashMap<>();
    private final java.util.List<JsonNode> webhooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<JsonNode> auditReads = new java.util.concurrent.CopyOnWriteArrayList<>();
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
        return Map.of("flagledger.flag-api.url", base, "flagledger.notifications.webhook-url", base + "/__fake/webhook",
                "flagledger.audit-service.url", base);
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
            if (FROZEN.equals(mode) && !"GET".equals(ex.getRequestMethod())) {
                send(ex, 423, frozen(path));
                return;
            }
            if (path.equals("/api/v1/audit/events")) {
                auditEvents(ex, auth.substring("Bearer ".length()));
                return;
            }
            // /api/v1/projects/{p}/environments/{e}/segments/{k}
            if (p.length == 9 && "projects".equals(p[3]) && "environments".equals(p[5]) && "segments".equals(p[7])) {
                segment(ex, p[4], p[6], p[8]);
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
            } else if ("PATCH".equals(ex.getRequestMethod()) && p.length == 7) {
                flagWide(ex, key, flag, ApprovalClaims.METADATA);
            } else if ("POST".equals(ex.getRequestMethod()) && p.length == 8 && List.of("archive", "restore").contains(p[7])) {
                flagWide(ex, key, flag, p[7]);
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
                ApprovalClaims claims = verified(ex.getRequestHeaders().getFirst(ApprovalTokens.HEADER));
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

    /**
     * flag-api's flag-wide writes (archive, restore, metadata PATCH) with its gate's rules: a reason, If-Match the
     * metadata version (412), and (production being protected) a token for exactly this operation, flag and
     * version naming two distinct approvers other than the requester: none is 428, any mismatch 403.
     */
    private synchronized void flagWide(HttpExchange ex, String key, ObjectNode flag, String operation) throws IOException {
        ObjectNode body = (ObjectNode) JSON.readTree(ex.getRequestBody());
        long version = flag.path("metadataVersion").asLong(1);
        String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
        if (ifMatch != null && Long.parseLong(ifMatch.replace("\"", "")) != version) {
            send(ex, 412, problem(412, "Flag is at metadata version " + version));
            return;
        }
        if (!body.path("reason").isTextual() || body.path("reason").asText().isBlank()) {
            send(ex, 400, problem(400, "A reason is required"));
            return;
        }
        body.remove("reason");
        JsonNode metadata = ApprovalClaims.METADATA.equals(operation) ? body : null;
        String token = ex.getRequestHeaders().getFirst(ApprovalTokens.HEADER);
        if (token == null) {
            send(ex, 428, problem(428, "production serves the flag"));
            return;
        }
        try {
            ApprovalClaims claims = verified(token);
            ApprovalTokens.requireMatchesOperation(claims, key.split("/")[0], key.split("/")[1], operation, version, metadata);
            ApprovalTokens.requireApprovers(claims, 2, java.util.Set.of());
            approvals.put("flag:" + key, claims);
        } catch (ApprovalTokenException e) {
            send(ex, 403, problem(403, "Approval refused: " + e.getMessage()));
            return;
        }
        if (metadata == null) {
            boolean archive = "archive".equals(operation);
            if (flag.path("archived").asBoolean(false) == archive) {
                send(ex, 409, problem(409, "already " + operation + "d"));
                return;
            }
            flag.put("archived", archive);
        } else {
            flag.setAll(body);
        }
        flag.put("metadataVersion", version + 1);
        writes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        send(ex, 200, view(flag));
    }

    /**
     * flag-api's segment endpoints: GET (404 when absent), PUT conditional on the version (0: absent) and, in
     * production, an approval token for exactly this definition: none is 428, a token for another version 412,
     * any other mismatch 403 (the real gate's answers).
     */
    private synchronized void segment(HttpExchange ex, String project, String environment, String key) throws IOException {
        String id = project + "/" + environment + "/" + key;
        ObjectNode segment = segments.get(id);
        long version = segment == null ? 0 : segment.path("version").asLong();
        if ("GET".equals(ex.getRequestMethod())) {
            if (segment == null) {
                send(ex, 404, problem(404, "Segment '" + key + "' does not exist"));
            } else {
                send(ex, 200, segmentView(environment, key, segment));
            }
            return;
        }
        if (!"PUT".equals(ex.getRequestMethod())) {
            send(ex, 405, problem(405, "method not allowed"));
            return;
        }
        JsonNode body = JSON.readTree(ex.getRequestBody());
        JsonNode definition = body.path("definition");
        if (!definition.isObject() || (definition.has("included") && !definition.get("included").isArray())) {
            send(ex, 400, problem(400, "definition.included must be a list of context keys"));
            return;
        }
        String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
        if (ifMatch != null && Long.parseLong(ifMatch.replace("\"", "")) != version) {
            send(ex, 412, problem(412, "Segment '" + key + "' is at version " + version));
            return;
        }
        if ("production".equals(environment)) {
            String token = ex.getRequestHeaders().getFirst(ApprovalTokens.HEADER);
            if (token == null) {
                send(ex, 428, problem(428, "'production' is a protected environment"));
                return;
            }
            try {
                ApprovalClaims claims = verified(token);
                if (claims.baseVersion() != version) {
                    send(ex, 412, problem(412, "The approval is for version " + claims.baseVersion()));
                    return;
                }
                ApprovalTokens.requireMatchesSegment(claims, project, key, environment, version, body.get("definition"));
                approvals.put(id, claims);
            } catch (ApprovalTokenException e) {
                send(ex, 403, problem(403, "Approval refused: " + e.getMessage()));
                return;
            }
        }
        ObjectNode stored = JSON.createObjectNode();
        stored.put("version", version + 1);
        stored.set("definition", body.get("definition"));
        segments.put(id, stored);
        writes.computeIfAbsent("segment:" + id, k -> new AtomicInteger()).incrementAndGet();
        send(ex, 200, segmentView(environment, key, stored));
    }

    private static ObjectNode segmentView(String environment, String key, ObjectNode stored) {
        ObjectNode view = JSON.createObjectNode();
        view.put("key", key);
        view.put("environment", environment);
        view.put("version", stored.path("version").asLong());
        // like flag-api, the definition it returns names its key
        ObjectNode definition = stored.path("definition").deepCopy();
        definition.put("key", key);
        // and, like flag-api's model, it spells out the defaults a proposal may omit
        if (!definition.has("excluded")) {
            definition.putArray("excluded");
        }
        for (JsonNode rule : definition.path("rules")) {
            ((ObjectNode) rule).putNull("serve");
            for (JsonNode clause : rule.path("clauses")) {
                if (!clause.has("negate")) {
                    ((ObjectNode) clause).put("negate", false);
                }
            }
        }
        view.set("definition", definition);
        return view;
    }

    /** flag-api's 423: problem type .../problems/frozen and the freeze. */
    private static ObjectNode frozen(String path) {
        ObjectNode problem = problem(423, "Project 'shop' is frozen (INC-311)");
        problem.put("type", "https://flagledger.dev/problems/frozen").put("instance", path);
        problem.putObject("freeze").put("id", FREEZE_ID).putNull("environment").put("reason", "INC-311: checkout errors")
                .put("setBy", "freezer").put("setAt", "2026-12-05T22:40:00Z");
        return problem;
    }

    private void fakeAdmin(HttpExchange ex, String[] p) throws IOException {
        switch (p[2]) {
            case "segments" -> {
                // /__fake/segments/{p}/{e}/{k}: PUT {version, definition} seeds, DELETE removes, GET reads
                String id = p[3] + "/" + p[4] + "/" + p[5];
                if ("GET".equals(ex.getRequestMethod())) {
                    send(ex, 200, segments.get(id));
                } else if ("DELETE".equals(ex.getRequestMethod())) {
                    segments.remove(id);
                    send(ex, 204, null);
                } else {
                    segments.put(id, (ObjectNode) JSON.readTree(ex.getRequestBody()));
                    writes.remove("segment:" + id);
                    send(ex, 204, null);
                }
            }
            case "segment-writes" -> send(ex, 200, JSON.getNodeFactory().numberNode(
                    writes.getOrDefault("segment:" + p[3] + "/" + p[4] + "/" + p[5], new AtomicInteger()).get()));
            case "segment-approval" -> {
                ApprovalClaims claims = approvals.get(p[3] + "/" + p[4] + "/" + p[5]);
                send(ex, 200, claims == null ? null : JSON.valueToTree(claims));
            }
            case "flags" -> {
                flags.put(p[3] + "/" + p[4], (ObjectNode) JSON.readTree(ex.getRequestBody()));
                writes.remove(p[3] + "/" + p[4]);
                send(ex, 204, null);
            }
            case "flag" -> send(ex, 200, flags.get(p[3] + "/" + p[4]));
            case "flag-approval" -> {
                ApprovalClaims claims = approvals.get("flag:" + p[3] + "/" + p[4]);
                send(ex, 200, claims == null ? null : JSON.valueToTree(claims));
            }
            case "writes" -> send(ex, 200, JSON.getNodeFactory().numberNode(
                    writes.getOrDefault(p[3] + "/" + p[4], new AtomicInteger()).get()));
            case "webhook" -> {
                webhooks.add(JSON.readTree(ex.getRequestBody()));
                send(ex, 204, null);
            }
            case "webhooks" -> send(ex, 200, JSON.valueToTree(webhooks));
            case "audit-reads" -> send(ex, 200, JSON.valueToTree(auditReads));
            case "mode" -> {
                mode = p[3];
                send(ex, 204, null);
            }
            default -> send(ex, 404, null);
        }
    }

    /** The token's claims, unverified (a stand-in: the real audit-service verifies them). */
    private void auditEvents(HttpExchange ex, String token) throws IOException {
        String[] parts = token.split("\\.");
        JsonNode claims = parts.length == 3
                ? JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1])) : JSON.createObjectNode();
        auditReads.add(claims);
        boolean reader = false;
        for (JsonNode role : claims.path("realm_access").path("roles")) {
            reader |= "audit-reader".equals(role.asText());
        }
        if (!reader) {
            send(ex, 403, problem(403, "Your roles do not allow this operation"));
            return;
        }
        ObjectNode page = JSON.createObjectNode();
        page.putArray("items").addObject().putObject("event").put("timestamp", "2026-04-06T12:00:00Z")
                .put("action", "flag.environment.updated").put("source_service", "flag-api").put("actor_name", "SRE on call")
                .put("environment", "production").put("reason", "ledger entry for " + ex.getRequestURI().getQuery());
        send(ex, 200, page);
    }

    private static ObjectNode view(ObjectNode flag) {
        ObjectNode view = JSON.createObjectNode();
        view.put("risk", flag.path("risk").asText(null));
        view.put("metadataVersion", flag.path("metadataVersion").asLong(1));
        view.put("archived", flag.path("archived").asBoolean(false));
        for (String field : List.of("name", "description", "owner", "tags")) {
            if (flag.has(field)) {
                view.set(field, flag.get(field));
            }
        }
        var envs = view.putArray("environments");
        flag.path("environments").fields().forEachRemaining(e -> {
            ObjectNode env = envs.addObject();
            env.put("environment", e.getKey());
            env.put("version", e.getValue().path("version").asLong());
            env.set("config", e.getValue().path("config"));
        });
        return view;
    }

    /** The token's claims if approval-service's key (the test run's) signed it and it is valid now. */
    private static ApprovalClaims verified(String token) throws ApprovalTokenException {
        return ApprovalTokens.verify(token, Map.of(SigningKeyResource.APPROVAL_KEY_ID,
                SigningKeyResource.approvalKeyPair().getPublic()), Instant.now());
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
