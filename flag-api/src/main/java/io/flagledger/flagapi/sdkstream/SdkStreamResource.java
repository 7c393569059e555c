package io.flagledger.flagapi.sdkstream;

import io.flagledger.common.problem.ProblemException;
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
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Server-Sent Events for server-side SDKs and relays: on connect, the environment's whole configuration ({@code put});
 * after every committed change, a {@code patch} with just the flags and segments it touched (its size and cost do not
 * grow with the environment's flag count), each with the environment revision as event id. A client reconnecting with
 * {@code Last-Event-ID} equal to the current revision gets nothing until the next change; any other gets a put. The configuration holds targets, rules and bucketing salts, so client (public) keys are refused; they
 * evaluate through OFREP. When the key is revoked the stream ends with an {@code error} event.
 */
@Path("/sdk/v1/stream")
@PermitAll
@SecurityRequirement(name = "sdkKey")
@SecurityRequirement(name = "sdkKeyBearer")
public class SdkStreamResource {

    @Inject
    SdkKeys sdkKeys;

    @Inject
    StreamEvents events;

    @Inject
    LeasedStreams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @APIResponse(responseCode = "200", description = "Server-Sent Events: a put event with the environment's whole configuration on connect, "
            + "a patch event per change (changed flags and segments, deleted keys), heartbeat comments, and a last error event "
            + "when the key is revoked",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(type = SchemaType.STRING),
                    example = "id: 12-0-40\nevent: put\ndata: {\"revision\": \"12-0-40\", \"flags\": {}, \"segments\": {}}\n\n"
                            + "id: 12-0-41\nevent: patch\ndata: {\"revision\": \"12-0-41\", \"flags\": {\"new-checkout\": {}}, "
                            + "\"deletedFlags\": [], \"segments\": {}, \"deletedSegments\": []}\n\n"))
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
        // An ordering sink rather than merged streams, so that a put and the patches after it keep their order.
        return streams.open(scope, sse, sink -> {
            Ordering ordering = new Ordering(sink, sse);
            Cancellable patches = events.patches().filter(patch -> patch.scope().equals(scope.project() + "/" + scope.environment()))
                    .subscribe().with(ordering::patch, sink::fail);
            // Subscribed first, so no change between reading the put and subscribing is lost.
            ordering.put(events.put(scope.project(), scope.environment()), lastEventId);
            return patches;
        });
    }

    /**
     * One subscriber's event order: the put first (unless the client resumes at its revision), then only the patches
     * applied after the state the put holds; patches that arrive before the put is sent wait for it.
     */
    private static final class Ordering {
        private final LeasedStreams.Sink sink;
        private final Sse sse;
        private final List<StreamEvents.Encoded> waiting = new ArrayList<>();
        private long sentSequence = -1;

        Ordering(LeasedStreams.Sink sink, Sse sse) {
            this.sink = sink;
            this.sse = sse;
        }

        synchronized void put(StreamEvents.Encoded put, String lastEventId) {
            if (!put.revision().equals(lastEventId)) {
                sink.send(event(put));
            }
            sentSequence = put.sequence();
            for (StreamEvents.Encoded patch : waiting) {
                patch(patch);
            }
            waiting.clear();
        }

        synchronized void patch(StreamEvents.Encoded patch) {
            if (sentSequence < 0) {
                waiting.add(patch);
            } else if (patch.sequence() > sentSequence) {
                sentSequence = patch.sequence();
                sink.send(event(patch));
            }
        }

        private OutboundSseEvent event(StreamEvents.Encoded encoded) {
            return sse.newEventBuilder().id(encoded.revision()).name(encoded.name()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(encoded.data()).build();
        }
    }
}
