package io.flagledger.approval.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.requests.FlagOperation;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.approval.ApprovalClaims;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.function.Supplier;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * flag-api, called with this service's own identity (OIDC client credentials, added by {@link FlagApi}'s filter): its
 * answers mapped to what the apply and filing code decides on.
 */
@ApplicationScoped
public class FlagApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Inject
    @RestClient
    FlagApi flagApi;

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
        String ifMatch = ifMatch(metadataVersion);
        return written(ApprovalClaims.METADATA.equals(operation)
                ? send(() -> flagApi.patchFlag(project, flag, ifMatch, correlationId, approvalToken, body.toString()))
                : send(() -> flagApi.operate(project, flag, operation, ifMatch, correlationId, approvalToken, body.toString())),
                "metadataVersion");
    }

    /** flag-api's view of the flag: 404 when there is none, 502 when flag-api answers anything else. */
    private JsonNode readFlag(String project, String flag) {
        Response response = send(() -> flagApi.flag(project, flag));
        if (response.getStatus() == 404) {
            throw ProblemException.notFound("flag-api has no flag " + project + "/" + flag);
        }
        if (response.getStatus() != 200) {
            throw new ProblemException(502, "flag-api answered " + response.getStatus() + " when reading " + project + "/" + flag);
        }
        return read(text(response));
    }

    /**
     * A segment's current definition and version; a segment that does not exist yet is version 0 with an empty
     * definition (what a change request that creates it is based on). 502 when flag-api cannot be reached.
     */
    public EnvironmentState segment(String project, String environment, String segment) {
        Response response = send(() -> flagApi.segment(project, environment, segment));
        if (response.getStatus() == 404) {
            return new EnvironmentState(0, JSON.createObjectNode(), null);
        }
        if (response.getStatus() != 200) {
            throw new ProblemException(502, "flag-api answered " + response.getStatus() + " when reading segment "
                    + project + "/" + segment + " in " + environment);
        }
        JsonNode body = read(text(response));
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
        return written(send(() -> flagApi.writeEnvironment(project, flag, environment, ifMatch(baseVersion), correlationId,
                approvalToken, body.toString())), "version");
    }

    /** The conditional segment write; the definition is sent exactly as stored, because the token hashes it. */
    public WriteResult writeSegment(String project, String environment, String segment, long baseVersion,
                                    JsonNode definition, String reason, String correlationId, String approvalToken) {
        ObjectNode body = JSON.createObjectNode();
        body.set("definition", definition);
        body.put("reason", reason);
        body.put("correlationId", correlationId);
        return written(send(() -> flagApi.writeSegment(project, environment, segment, ifMatch(baseVersion), correlationId,
                approvalToken, body.toString())), "version");
    }

    /** The answer to a conditional write; {@code versionField} names the new version in a 200. */
    private static WriteResult written(Response response, String versionField) {
        if (response.getStatus() == 200) {
            return new WriteResult(200, read(text(response)).path(versionField).asLong(), null);
        }
        JsonNode problem = read(text(response));
        return new WriteResult(response.getStatus(), null, problem.path("detail").asText(""),
                problem.path("freeze").isObject() ? problem.get("freeze") : null);
    }

    /** 502 when flag-api cannot be reached (connection refused, timeout: quarkus.rest-client.flag-api.*-timeout). */
    private static Response send(Supplier<Response> call) {
        try {
            return call.get();
        } catch (ProcessingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new ProblemException(503, "interrupted while calling flag-api");
            }
            throw new ProblemException(502, "flag-api is unreachable: " + cause.getClass().getSimpleName());
        }
    }

    /** The body as text, whatever the status (the client reads an error's body only on request). */
    private static String text(Response response) {
        return response.hasEntity() ? response.readEntity(String.class) : null;
    }

    private static String ifMatch(long version) {
        return "\"" + version + "\"";
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
