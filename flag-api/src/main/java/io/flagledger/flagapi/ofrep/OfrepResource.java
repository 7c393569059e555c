package io.flagledger.flagapi.ofrep;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.Hashing;
import io.flagledger.flagapi.evaluation.Evaluation;
import io.flagledger.flagapi.evaluation.EvaluationCounters;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.evaluation.Evaluator;
import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * OpenFeature Remote Evaluation Protocol v1. Authenticated with an environment's SDK key (Bearer or X-API-Key),
 * not OIDC; answered from the in-memory snapshot. Answers carry the value, variant and reason only, never targets,
 * rules or salts; a client key sees only client-visible flags. A bulk answer names the OFREP event stream that
 * announces changes ({@link OfrepEventStreamResource}). The body is taken as raw JSON so that a malformed
 * request gets OFREP's own PARSE_ERROR shape, which the OpenFeature providers understand.
 */
@Path("/ofrep/v1/evaluate/flags")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@PermitAll
@SecurityRequirement(name = "sdkKey")
@SecurityRequirement(name = "sdkKeyBearer")
public class OfrepResource {

    @Inject
    SdkKeys sdkKeys;

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    EvaluationCounters counters;

    @Inject
    ConfigTags tags;

    @Inject
    OfrepConfig config;

    private static final String PARSE_ERROR = "the body must be JSON with a 'context' object";

    @POST
    @NonBlocking
    @Path("/{key}")
    @APIResponse(responseCode = "200", description = "The flag's value for this context",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationSuccess.class)))
    @APIResponse(responseCode = "400", description = "The body is not JSON with a context object (PARSE_ERROR), the context holds a control character, "
            + "a lone surrogate, a non-finite number or nesting deeper than 32 (INVALID_CONTEXT), or it cannot be evaluated",
            extensions = @Extension(name = "x-error-format", value = "OFREP v1 evaluation failure"),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationFailure.class)))
    @APIResponse(responseCode = "404", description = "No such flag in the key's environment, or a client key and a flag not "
            + "marked client-visible (FLAG_NOT_FOUND)",
            extensions = @Extension(name = "x-error-format", value = "OFREP v1 evaluation failure"),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationFailure.class)))
    @APIResponse(responseCode = "503", description = "The evaluation snapshot is still loading; Retry-After says when to retry")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationRequest.class)))
    public Response evaluate(@PathParam("key") String key, @HeaderParam("Authorization") String authorization,
                             @HeaderParam("X-API-Key") String apiKey, byte[] body) {
        Admission admission = admit(authorization, apiKey, body,
                () -> OfrepResponses.error(400, key, Evaluation.ErrorCode.PARSE_ERROR, PARSE_ERROR),
                details -> OfrepResponses.error(400, key, Evaluation.ErrorCode.INVALID_CONTEXT, details));
        if (admission.refusal() != null) {
            return admission.refusal();
        }
        JsonNode context = admission.context();
        EvaluationSnapshot.Entry entry = admission.environment().flags().get(key);
        // A flag a client key may not see is answered exactly like a missing one: a public key learns nothing of it.
        if (entry == null || !visible(admission.scope(), entry)) {
            return OfrepResponses.error(404, key, Evaluation.ErrorCode.FLAG_NOT_FOUND, "flag '" + key + "' does not exist in this environment");
        }
        Evaluation result = admission.environment().evaluator().evaluate(entry.definition(), entry.config(), context);
        counters.record(admission.scope(), key);
        return result.isError()
                ? OfrepResponses.error(400, key, result.errorCode(), result.errorDetails())
                : Response.ok(OfrepResponses.encodedSuccess(result, entry)).build();
    }

    @POST
    @NonBlocking
    @APIResponse(responseCode = "200", description = "Every flag of the key's environment for this context (a client key: "
            + "every client-visible flag), and the event stream that announces changes (eventStreams); ETag for If-None-Match",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.BulkEvaluation.class)))
    @APIResponse(responseCode = "304", description = "Unchanged since the ETag sent as If-None-Match")
    @APIResponse(responseCode = "400", description = "The body is not JSON with a context object or flagConfigEtag is not an event "
            + "stream etag (PARSE_ERROR), or the context holds a control character, a lone surrogate, a non-finite number or "
            + "nesting deeper than 32 (INVALID_CONTEXT)",
            extensions = @Extension(name = "x-error-format", value = "OFREP v1 evaluation failure"),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationFailure.class)))
    @APIResponse(responseCode = "503", description = "The evaluation snapshot is still loading; Retry-After says when to retry")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = OfrepSchemas.EvaluationRequest.class)))
    public Uni<Response> evaluateAll(@HeaderParam("Authorization") String authorization, @HeaderParam("X-API-Key") String apiKey,
                                     @HeaderParam("If-None-Match") String ifNoneMatch,
                                     @Parameter(description = "The etag of the refetchEvaluation event that triggered this request (ADR-0008)")
                                     @QueryParam("flagConfigEtag") String flagConfigEtag,
                                     @Parameter(description = "Accepted and ignored: events carry no lastModified")
                                     @QueryParam("flagConfigLastModified") String flagConfigLastModified,
                                     @Context UriInfo uri, byte[] body) {
        Admission admission = admit(authorization, apiKey, body,
                () -> OfrepResponses.bulkError(Evaluation.ErrorCode.PARSE_ERROR, PARSE_ERROR),
                details -> OfrepResponses.bulkError(Evaluation.ErrorCode.INVALID_CONTEXT, details));
        if (admission.refusal() != null) {
            return Uni.createFrom().item(admission.refusal());
        }
        String wanted = flagConfigEtag == null ? null : flagConfigEtag.replace("\"", "").trim();
        if (wanted != null && !ConfigTags.wellFormed(wanted)) {
            return Uni.createFrom().item(OfrepResponses.bulkError(Evaluation.ErrorCode.PARSE_ERROR,
                    "flagConfigEtag: not the etag of a refetchEvaluation event (32 hex digits)"));
        }
        SdkKeys.Scope scope = admission.scope();
        String scopeKey = scope.project() + "/" + scope.environment();
        String token = sdkKeys.eventStreamToken(authorization, apiKey).orElse(null);
        if (token == null) {
            return Uni.createFrom().item(OfrepResponses.unauthorized()); // revoked since it was admitted
        }
        String streamUrl = uri.getBaseUriBuilder().path("ofrep/v1/event-stream").queryParam("token", token).build().toString();
        if (wanted == null || wanted.equals(tags.tag(scopeKey, scope.client(), admission.environment()))) {
            return Uni.createFrom().item(bulk(admission, scopeKey, ifNoneMatch, streamUrl));
        }
        // The event came from a replica whose snapshot is ahead of ours: wait (bounded) for our next change to that
        // environment, then answer what we have.
        return snapshot.changes().filter(scopeKey::equals).toUni()
                .ifNoItem().after(config.refetchWait()).recoverWithItem(scopeKey)
                .map(ignored -> bulk(admission, scopeKey, ifNoneMatch, streamUrl));
    }

    private Response bulk(Admission admission, String scopeKey, String ifNoneMatch, String streamUrl) {
        SdkKeys.Scope scope = admission.scope();
        JsonNode context = admission.context();
        EvaluationSnapshot.Environment environment = snapshot.environmentOrEmpty(scope.project(), scope.environment());
        // Same flags, same kind of key and same context give the same answer: the ETag is a hash of them.
        EntityTag etag = new EntityTag(Hashing.sha256Hex((tags.tag(scopeKey, scope.client(), environment) + "|"
                + CanonicalJson.canonicalString(context)).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 32));
        if (ifNoneMatch != null && ifNoneMatch.replace("\"", "").trim().equals(etag.getValue())) {
            return Response.notModified(etag).build();
        }
        Evaluator evaluator = environment.evaluator();
        // Written as bytes: pre-sorted flags, each answer pre-encoded per variation and reason (see OfrepResponses).
        List<EvaluationSnapshot.Entry> flags = scope.client() ? environment.clientVisibleSorted() : environment.sorted();
        OfrepResponses.BulkWriter bulk = new OfrepResponses.BulkWriter(flags.size());
        for (EvaluationSnapshot.Entry entry : flags) {
            Evaluation result = evaluator.evaluate(entry.definition(), entry.config(), context);
            counters.record(scope, entry.definition().key());
            bulk.add(result, entry);
        }
        return Response.ok(bulk.finish(streamUrl, Math.max(1, config.inactivityDelay().toSeconds()))).tag(etag).build();
    }

    /** Server keys evaluate every flag; client (public) keys only those marked client-visible. */
    private static boolean visible(SdkKeys.Scope key, EvaluationSnapshot.Entry entry) {
        return !key.client() || entry.clientVisible();
    }

    /** Either a refusal, or the caller's environment and the parsed context. */
    private record Admission(Response refusal, SdkKeys.Scope scope, EvaluationSnapshot.Environment environment, JsonNode context) {
    }

    /**
     * 401 without a valid key, 503 until the snapshot has loaded, the given parse error for a bad body, the given
     * INVALID_CONTEXT error for a context that breaks the {@code SafeText} rule (see {@link OfrepRequests#contextViolation}).
     */
    private Admission admit(String authorization, String apiKey, byte[] body, Supplier<Response> parseError,
                            Function<String, Response> invalidContext) {
        SdkKeys.Scope scope = sdkKeys.authenticate(authorization, apiKey).orElse(null);
        if (scope == null) {
            return new Admission(OfrepResponses.unauthorized(), null, null, null);
        }
        if (!snapshot.loaded()) {
            return new Admission(OfrepResponses.unavailable(), null, null, null);
        }
        JsonNode context = OfrepRequests.context(body);
        if (context == null) {
            return new Admission(parseError.get(), null, null, null);
        }
        String violation = OfrepRequests.contextViolation(context);
        if (violation != null) {
            return new Admission(invalidContext.apply(violation), null, null, null);
        }
        return new Admission(null, scope, snapshot.environmentOrEmpty(scope.project(), scope.environment()), context);
    }
}
