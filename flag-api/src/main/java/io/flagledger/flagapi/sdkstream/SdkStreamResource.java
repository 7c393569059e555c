package io.flagledger.flagapi.sdkstream;

import io.flagledger.common.problem.Problem;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Server-Sent Events for server-side SDKs and relays: on connect, the environment's whole flag configuration
 * ({@code put}); after every committed change, the whole configuration again, with the environment revision as event
 * id. A client reconnecting with {@code Last-Event-ID} equal to the current revision gets nothing until the next
 * change. The configuration holds targets, rules and bucketing salts, so client (public) keys are refused; they
 * evaluate through OFREP. When the key is revoked the stream ends with an {@code error} event.
 */
@Path("/sdk/v1/stream")
@PermitAll
@SecurityRequirement(name = "sdkKey")
@SecurityRequirement(name = "sdkKeyBearer")
public class SdkStreamResource {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    @Inject
    SdkKeys sdkKeys;

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    OpenStreams openStreams;

    @Inject
    StreamsConfig config;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(responseCode = "200", description = "Server-Sent Events: put events with the environment's whole configuration, "
            + "heartbeat comments, and a last error event when the key is revoked",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(type = SchemaType.STRING),
                    example = "id: 00000000000000a7\nevent: put\ndata: {\"revision\": \"00000000000000a7\", \"flags\": {}}\n\n"))
    @APIResponse(responseCode = "401", description = "No active SDK key")
    @APIResponse(responseCode = "403", description = "A client SDK key: it may not read raw configuration (use OFREP)")
    @APIResponse(responseCode = "429", description = "The key or this replica holds its maximum of open streams; Retry-After says when to retry")
    public Multi<OutboundSseEvent> stream(@HeaderParam("Authorization") String authorization,
                                          @HeaderParam("X-API-Key") String apiKey,
                                          @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        SdkKeys.Scope scope = sdkKeys.authenticate(authorization, apiKey)
                .orElseThrow(() -> new ProblemException(401, "A valid SDK key for this environment is required"));
        if (scope.client()) {
            throw ProblemException.forbidden("A client SDK key cannot read the raw flag configuration; evaluate through OFREP "
                    + "(/ofrep/v1/evaluate/flags) or use a server key");
        }
        String scopeKey = scope.project() + "/" + scope.environment();
        Multi<OutboundSseEvent> initial = Multi.createFrom().item(() -> put(sse, scopeKey))
                .filter(event -> !event.getId().equals(lastEventId));
        Multi<OutboundSseEvent> updates = snapshot.changes().filter(scopeKey::equals).map(changed -> put(sse, scopeKey));
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .map(tick -> sse.newEventBuilder().comment("heartbeat").build());
        Multi<OutboundSseEvent> events = Multi.createBy().merging().streams(Multi.createBy().concatenating().streams(initial, updates), heartbeats);
        OpenStreams.Lease lease = openStreams.admit(scope);
        // An emitter rather than the merged stream itself, so that a revocation can end the stream from outside.
        return Multi.createFrom().emitter(emitter -> {
            Cancellable upstream = events.subscribe().with(emitter::emit, emitter::fail, emitter::complete);
            lease.onRevoked(() -> {
                emitter.emit(revoked(sse));
                emitter.complete();
            });
            emitter.onTermination(() -> {
                upstream.cancel();
                lease.release();
            });
        });
    }

    /** 429 with Retry-After: the shared problem mapper renders no headers. */
    @ServerExceptionMapper
    public Response limitReached(OpenStreams.LimitReached e, UriInfo uri) {
        Response problem = Problem.of(429, e.getMessage()).withInstance(uri.getPath()).toResponse();
        return Response.fromResponse(problem).header("Retry-After", Long.toString(Math.max(1, config.retryAfter().toSeconds()))).build();
    }

    private static OutboundSseEvent revoked(Sse sse) {
        return sse.newEventBuilder().name("error").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(FlagCodec.write(Problem.of(401, "The SDK key was revoked; this stream is closed")))
                .build();
    }

    private OutboundSseEvent put(Sse sse, String scopeKey) {
        EvaluationSnapshot.Environment environment = snapshot.environmentOrEmpty(scopeKey.substring(0, scopeKey.indexOf('/')),
                scopeKey.substring(scopeKey.indexOf('/') + 1));
        Map<String, Object> flags = new TreeMap<>();
        environment.flags().forEach((key, entry) -> {
            Map<String, Object> flag = new LinkedHashMap<>();
            flag.put("version", entry.version());
            flag.put("type", entry.definition().type());
            flag.put("variations", entry.definition().variations());
            flag.put("salt", entry.definition().salt());
            flag.put("clientVisible", entry.clientVisible());
            flag.put("config", entry.config());
            flags.put(key, flag);
        });
        return sse.newEventBuilder().id(environment.revision()).name("put")
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(FlagCodec.write(Map.of("revision", environment.revision(), "flags", flags)))
                .build();
    }
}
