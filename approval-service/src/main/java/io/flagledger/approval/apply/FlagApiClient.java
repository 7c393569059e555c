package io.flagledger.approval.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.requests.FlagOperation;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.approval.ApprovalTokens;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** flag-api, called with this service's own identity (OIDC client credentials). */
@ApplicationScoped
public class FlagApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The current state of one flag environment (or of one segment, without risk), as flag-api reports it. */
    public record EnvironmentState(long version, JsonNode config, String risk) {
    }

    /**
     * flag-api's answer to a write: the status and, on success, the new version; {@code freeze} is the incident freeze
     * a 423 names (null otherwise).
     */
    public record WriteResult(int status, Long version, String detail, JsonNode freeze) {
        public WriteResult(int status, Long version, String detail) {
            this(status, version, detail, null);
        }

        public boolean ok() {
            return status == 200;
        }

        /** flag-api refused the write because an incident freeze covers it: it may be applied once the freeze is lifted. */
        public boolean frozen() {
            return status == 423;
        }
    }

    @ConfigProperty(name = "flagledger.flag-api.url")
    String baseUrl;

    @Inject
    OidcClient oidc;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private volatile Tokens tokens;

    /** 404 when the flag or environment does not exist; 502 when flag-api cannot be reached. */
    public EnvironmentState environment(String project, String flag, String environment) {
        JsonNode body = readFlag(project, flag);
        for (JsonNode env : body.path("environments")) {
            if (environment.equals(env.path("environment").asText())) {
                String risk = body.path("risk").isTextual() ? body.path("risk").asText() : null;
                return new EnvironmentState(env.path("version").asLong(), env.path("config"), risk);
            }
        }
        throw ProblemException.notFound("flag " + project + "/" + flag + " has no environment " + environment);
    }

    /**
     * The flag's metadata version and the state a flag-wide operation is based on ({@code archived} and the
     * metadata; see FlagOperation). 404 when the flag does not exist; 502 when flag-api cannot be reached.
     */
    public EnvironmentState flag(String project, String flag) {
        JsonNode body = readFlag(project, flag);
        String risk = body.path("risk").isTextual() ? body.path("risk").asText() : null;
        return new EnvironmentState(body.path("metadataVersion").asLong(), FlagOperation.state(body), risk);
    }

    /**
     * The conditional flag-wide write: archive, restore (POST) or a metadata change (PATCH with exactly the approved
     * metadata, which the token hashes), If-Match the metadata version approved.
     */
    public WriteResult operate(String project, String flag, String operation, long metadataVersion, JsonNode metadata,
                               String reason, String correlationId, String approvalToken) {
        ObjectNode body = metadata != null && metadata.isObject() ? ((ObjectNode) metadata).deepCopy() : JSON.createObjectNode();
        body.put("reason", reason);
        boolean patch = ApprovalClaims.METADATA.equals(operation);
        URI uri = patch ? flagUri(project, flag) : URI.create(flagUri(project, flag) + "/" + enc(operation));
        return conditional(uri, patch ? "PATCH" : "POST", body, metadataVersion, correlationId, approvalToken, "metadataVersion");
    }

    /** flag-api's view of the flag: 404 when there is none, 502 when flag-api answers anything else. */
    private JsonNode readFlag(String project, String flag) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(flagUri(project, flag)).GET());
        if (response.statusCode() == 404) {
            throw ProblemException.notFound("flag-api has no flag " + project + "/" + flag);
        }
        if (response.statusCode() != 200) {
            throw new ProblemException(502, "flag-api answered " + response.statusCode() + " when reading " + project + "/" + flag);
        }
        return read(response.body());
    }

    /**
     * A segment's current definition and version; a segment that does not exist yet is version 0 with an empty
     * definition (what a change request that creates it is based on). 502 when flag-api cannot be reached.
     */
    public EnvironmentState segment(String project, String environment, String segment) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(segmentUri(project, environment, segment)).GET());
        if (response.statusCode() == 404) {
            return new EnvironmentState(0, JSON.createObjectNode(), null);
        }
        if (response.statusCode() != 200) {
            throw new ProblemException(502, "flag-api answered " + response.statusCode() + " when reading segment "
                    + project + "/" + segment + " in " + environment);
        }
        JsonNode body = read(response.body());
        JsonNode definition = body.path("definition").isObject() ? body.path("definition").deepCopy() : JSON.createObjectNode();
        // flag-api echoes the key inside the definition; it is part of the path, not of what is approved
        ((ObjectNode) definition).remove("key");
        return new EnvironmentState(body.path("version").asLong(), definition, null);
    }

    /** The conditional write; never retried here, the caller decides (and a replay meets 412). */
    public WriteResult write(String project, String flag, String environment, long baseVersion, JsonNode config,
                             String reason, String correlationId, String approvalToken) {
        ObjectNode body = JSON.createObjectNode();
        body.set("config", config);
        body.put("reason", reason);
        body.put("correlationId", correlationId);
        return put(URI.create(flagUri(project, flag) + "/environments/" + enc(environment)), body, baseVersion,
                correlationId, approvalToken);
    }

    /** The conditional segment write; the definition is sent exactly as stored, because the token hashes it. */
    public WriteResult writeSegment(String project, String environment, String segment, long baseVersion,
                                    JsonNode definition, String reason, String correlationId, String approvalToken) {
        ObjectNode body = JSON.createObjectNode();
        body.set("definition", definition);
        body.put("reason", reason);
        body.put("correlationId", correlationId);
        return put(segmentUri(project, environment, segment), body, baseVersion, correlationId, approvalToken);
    }

    private WriteResult put(URI uri, ObjectNode body, long baseVersion, String correlationId, String approvalToken) {
        return conditional(uri, "PUT", body, baseVersion, correlationId, approvalToken, "version");
    }

    /** A write conditional on {@code baseVersion}; {@code versionField} names the new version in the answer. */
    private WriteResult conditional(URI uri, String method, ObjectNode body, long baseVersion, String correlationId,
                                    String approvalToken, String versionField) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("If-Match", "\"" + baseVersion + "\"")
                .header("X-Correlation-Id", correlationId)
                .header(ApprovalTokens.HEADER, approvalToken)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())));
        if (response.statusCode() == 200) {
            return new WriteResult(200, read(response.body()).path(versionField).asLong(), null);
        }
        JsonNode problem = response.body() == null ? JSON.createObjectNode() : read(response.body());
        return new WriteResult(response.statusCode(), null, problem.path("detail").asText(""),
                problem.path("freeze").isObject() ? problem.get("freeze") : null);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(TIMEOUT).header("Authorization", "Bearer " + accessToken()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ProblemException(502, "flag-api is unreachable: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "interrupted while calling flag-api");
        }
    }

    private String accessToken() {
        Tokens current = tokens;
        if (current == null || current.isAccessTokenExpired() || current.isAccessTokenWithinRefreshInterval()) {
            current = oidc.getTokens().await().atMost(TIMEOUT);
            tokens = current;
        }
        return current.getAccessToken();
    }

    private URI flagUri(String project, String flag) {
        return URI.create(baseUrl.replaceAll("/+$", "") + "/api/v1/projects/" + enc(project) + "/flags/" + enc(flag));
    }

    private URI segmentUri(String project, String environment, String segment) {
        return URI.create(baseUrl.replaceAll("/+$", "") + "/api/v1/projects/" + enc(project) + "/environments/"
                + enc(environment) + "/segments/" + enc(segment));
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
