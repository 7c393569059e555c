package io.flagledger.flagapi.sdkstream;

import io.flagledger.common.problem.Problem;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.function.Function;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * What every stream held by an SDK key ({@code /sdk/v1/stream}, {@code /ofrep/v1/event-stream}) does alike: it is
 * admitted within the key's and the replica's limits ({@link OpenStreams}; beyond them 429 with Retry-After), carries
 * heartbeat comments, ends with an {@code error} event when the key is revoked, and gives its lease back when it ends,
 * however it ends. The endpoint supplies only what it sends.
 */
@ApplicationScoped
public class LeasedStreams {

    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    /** Where a stream's events go: sends are serialized, so heartbeats and the revocation never interleave with them. */
    public static final class Sink {
        private final MultiEmitter<? super OutboundSseEvent> emitter;

        private Sink(MultiEmitter<? super OutboundSseEvent> emitter) {
            this.emitter = emitter;
        }

        public synchronized void send(OutboundSseEvent event) {
            emitter.emit(event);
        }

        public void fail(Throwable failure) {
            emitter.fail(failure);
        }

        public void complete() {
            emitter.complete();
        }
    }

    @Inject
    OpenStreams openStreams;

    @Inject
    StreamsConfig config;

    /**
     * Admits a stream for {@code key} (throws {@link OpenStreams.LimitReached}, answered 429, when it may not hold one
     * more) and returns it; {@code body} starts sending into the sink once the client subscribes and returns what to
     * cancel when the stream ends.
     */
    public Multi<OutboundSseEvent> open(SdkKeys.Scope key, Sse sse, Function<Sink, Cancellable> body) {
        OpenStreams.Lease lease = openStreams.admit(key);
        return Multi.createFrom().emitter(emitter -> {
            Sink sink = new Sink(emitter);
            Cancellable upstream = body.apply(sink);
            Cancellable heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                    .subscribe().with(tick -> sink.send(sse.newEventBuilder().comment("heartbeat").build()));
            lease.onRevoked(() -> {
                sink.send(sse.newEventBuilder().name("error").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(FlagCodec.write(Problem.of(401, "The SDK key was revoked; this stream is closed"))).build());
                emitter.complete();
            });
            emitter.onTermination(() -> {
                upstream.cancel();
                heartbeats.cancel();
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
}
