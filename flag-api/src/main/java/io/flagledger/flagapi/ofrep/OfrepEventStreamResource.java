package io.flagledger.flagapi.ofrep;

import io.flagledger.common.problem.ProblemException;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.flagledger.flagapi.sdkstream.LeasedStreams;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The OFREP event stream (ADR-0008) a bulk evaluation advertises in {@code eventStreams}: notification only. Each
 * change to what the key evaluates sends {@code {"type":"refetchEvaluation","etag":...}} and the provider re-fetches
 * the bulk evaluation; no value or configuration travels here, so client (public) keys may hold it. The URL carries
 * the key's event-stream token (EventSource sends no headers; see {@link SdkKeys#eventStreamToken}); a client that can
 * send headers may present the SDK key instead, as for OFREP evaluation. The stream counts
 * against the key's and the replica's stream limits and ends when the key is revoked, like {@code /sdk/v1/stream}.
 */
@Path("/ofrep/v1/event-stream")
@PermitAll
@SecurityRequirement(name = "sdkKey")
@SecurityRequirement(name = "sdkKeyBearer")
public class OfrepEventStreamResource {

    @Inject
    SdkKeys sdkKeys;

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    ConfigTags tags;

    @Inject
    LeasedStreams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(responseCode = "200", description = "Server-Sent Events: a refetchEvaluation message after each change to the "
            + "flags this key evaluates (event id and etag: the new flag-configuration tag; at once when Last-Event-ID is an "
            + "older tag), heartbeat comments, and a last error event when the key is revoked",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(type = SchemaType.STRING),
                    example = "id: 3f1c0e7b9a2d4c6e8f0a1b2c3d4e5f60\nevent: message\n"
                            + "data: {\"type\":\"refetchEvaluation\",\"etag\":\"3f1c0e7b9a2d4c6e8f0a1b2c3d4e5f60\"}\n\n"))
    @APIResponse(responseCode = "400", description = "Last-Event-ID is not an event id of this stream")
    @APIResponse(responseCode = "401", description = "No token of an active SDK key")
    @APIResponse(responseCode = "429", description = "The key or this replica holds its maximum of open streams; Retry-After says when to retry")
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "The token from the bulk evaluation's eventStreams URL (for EventSource, which sends no "
                    + "headers); without it, the SDK key in X-API-Key or Authorization") @QueryParam("token") String token,
            @HeaderParam("Authorization") String authorization, @HeaderParam("X-API-Key") String apiKey,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        SdkKeys.Scope scope = (token != null ? sdkKeys.authenticateEventStream(token) : sdkKeys.authenticate(authorization, apiKey))
                .orElseThrow(() -> new ProblemException(401, "token: not the event-stream token of an active SDK key; "
                        + "take the URL from a bulk evaluation's eventStreams"));
        if (lastEventId != null && !ConfigTags.wellFormed(lastEventId)) {
            throw ProblemException.badRequest("Last-Event-ID: not an event id of this stream (32 hex digits)");
        }
        String scopeKey = scope.project() + "/" + scope.environment();
        AtomicReference<String> announced = new AtomicReference<>(lastEventId != null ? lastEventId : currentTag(scope, scopeKey));
        // A resumed stream that missed a change hears of it at once; afterwards, one event per change the key can see.
        Multi<String> changed = Multi.createBy().concatenating().streams(Multi.createFrom().item(scopeKey),
                        snapshot.changes().filter(scopeKey::equals))
                .map(ignored -> currentTag(scope, scopeKey))
                .filter(tag -> !tag.equals(announced.getAndSet(tag)));
        return streams.open(scope, sse, sink -> changed.map(tag -> refetch(sse, tag)).subscribe().with(sink::send, sink::fail, sink::complete));
    }

    private String currentTag(SdkKeys.Scope scope, String scopeKey) {
        return tags.tag(scopeKey, scope.client(), snapshot.environmentOrEmpty(scope.project(), scope.environment()));
    }

    /** ADR-0008's event: the envelope's name is always "message"; the type travels in the JSON data. */
    private static OutboundSseEvent refetch(Sse sse, String tag) {
        return sse.newEventBuilder().id(tag).name("message").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(FlagCodec.write(Map.of("type", "refetchEvaluation", "etag", tag))).build();
    }
}
