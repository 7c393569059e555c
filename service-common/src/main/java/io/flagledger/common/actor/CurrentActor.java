package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import io.flagledger.common.text.EventText;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;
import io.flagledger.common.problem.ProblemException;

/**
 * The actor and request metadata of the current request, taken from the verified OIDC token
 * (never from the body), so that audit events name the real subject. The channel, too, comes from the token
 * ({@link #channelOf}); a client's {@value #CHANNEL_HEADER} header is not believed: one that names an unknown channel
 * or contradicts the token is refused (400), one that agrees changes nothing.
 */
@RequestScoped
public class CurrentActor {

    /** Header a client may set; only checked against the channel its token implies (it used to decide it). */
    public static final String CHANNEL_HEADER = "X-Flagledger-Channel";

    private static final int MAX_USER_AGENT = 512;

    @Inject
    SecurityIdentity identity;

    @Inject
    JsonWebToken token;

    @Inject
    CurrentVertxRequest request;

    @Inject
    ActorConfig actorConfig;

    @Inject
    IdentityConfig identityConfig;

    @Inject
    ChannelConfig channels;

    public Actor actor() {
        return actorOf(identity);
    }

    /** The actor of an already resolved identity (usable where the request's identity must not be resolved lazily). */
    public Actor actorOf(SecurityIdentity resolved) {
        JsonWebToken jwt = resolved.getPrincipal() instanceof JsonWebToken principal ? principal : token;
        List<String> roles = resolved.getRoles().stream().sorted().toList();
        String subject = Optional.ofNullable(jwt.getSubject()).orElse(resolved.getPrincipal().getName());
        String username = claim(jwt, "preferred_username");
        boolean service = roles.contains(actorConfig.serviceRole()) || (username != null && username.startsWith("service-account-"));
        String name = Optional.ofNullable((String) claim(jwt, "name")).orElse(username);
        return new Actor(subject, service ? ActorType.SERVICE : ActorType.USER, name, claim(jwt, "email"), roles,
                service ? null : person(jwt, identityConfig.personClaim().orElse(null)));
    }

    /**
     * A claim, or null when the token has none. Asks for present claims only: smallrye-jwt's getClaim looks every
     * name up as a standard claim first and throws (and catches) an exception with a full stack trace for any other
     * name, so each absent claim asked for (several per request) cost one.
     */
    static <T> T claim(JsonWebToken jwt, String name) {
        java.util.Set<String> names = jwt == null ? null : jwt.getClaimNames();
        return names != null && names.contains(name) ? jwt.getClaim(name) : null;
    }

    /**
     * The person a token names through {@code claim}, or null. An email counts only when the provider verified it:
     * anyone may type any address into an unverified profile, and the person id is what tells two accounts apart.
     */
    static String person(JsonWebToken jwt, String claim) {
        if (claim == null || claim.isBlank()) {
            return null;
        }
        Object value = claim(jwt, claim);
        String text = value instanceof String s ? s : value instanceof jakarta.json.JsonString js ? js.getString()
                : value instanceof Number n ? n.toString() : null;
        if (text == null || text.isBlank()) {
            return null;
        }
        if ("email".equals(claim)) {
            // a Boolean, a JSON true or the string "true", depending on how the claim was read
            boolean verified = "true".equals(String.valueOf((Object) claim(jwt, "email_verified")));
            return verified ? text.trim().toLowerCase(java.util.Locale.ROOT) : null;
        }
        return text.trim();
    }

    public RequestMetadata requestMetadata() {
        return requestMetadata(null);
    }

    /**
     * Request metadata; {@code channel}, when given, is what the server itself knows (its console pages), otherwise
     * the channel is derived from the caller's token. A header naming an unknown channel, or one other than that, is
     * the caller's mistake: 400.
     */
    public RequestMetadata requestMetadata(Channel channel) {
        HttpServerRequest http = request.getCurrent().request();
        Channel derived = channel != null ? channel
                : channelOf(actor().isService(), identity.getPrincipal() instanceof JsonWebToken jwt ? jwt : token);
        String header = http.getHeader(CHANNEL_HEADER);
        if (header != null && !header.isBlank()) {
            Channel declared = knownChannel(header).orElseThrow(
                    () -> ProblemException.badRequest(CHANNEL_HEADER + " must be one of api, console, ci, automation"));
            if (declared != derived) {
                throw ProblemException.badRequest(CHANNEL_HEADER + " says " + wire(declared) + " but the caller signed in "
                        + "through channel " + wire(derived) + ": the channel comes from the token; omit the header");
            }
        }
        return new RequestMetadata(userAgent(http), address(http), derived);
    }

    /**
     * The channel a token implies: a person through a console client is {@code console}, through a CI client
     * {@code ci}, through a machine-only client {@code automation}, otherwise {@code api}; a service identity is
     * {@code automation} unless it came through a console client (a service acting as a person: {@code console}).
     */
    Channel channelOf(boolean service, JsonWebToken jwt) {
        String client = client(jwt);
        if (client != null && channels.consoleClients().contains(client)) {
            return Channel.CONSOLE;
        }
        if (service) {
            return Channel.AUTOMATION;
        }
        if (client != null && channels.ciClients().map(c -> c.contains(client)).orElse(false)) {
            return Channel.CI;
        }
        return client != null && channels.automationClients().contains(client) ? Channel.AUTOMATION : Channel.API;
    }

    /** The OIDC client the token was issued to: {@code azp}, else {@code client_id} (RFC 9068). */
    static String client(JsonWebToken jwt) {
        for (String claim : new String[] {"azp", "client_id"}) {
            Object value = claim(jwt, claim);
            String text = value instanceof String str ? str : value instanceof jakarta.json.JsonString js ? js.getString() : null;
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return null;
    }

    private static String wire(Channel channel) {
        return channel.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Metadata of a request being refused (401/403): never fails, so no header can keep a refusal out of the ledger.
     * The channel is the one the server knows ({@code fallback}): a refused caller's header is not evidence
     * ({@link #channelHeader()} gives an unknown one, escaped).
     */
    public RequestMetadata refusedRequestMetadata(Channel fallback) {
        HttpServerRequest http = request.getCurrent().request();
        return new RequestMetadata(userAgent(http), address(http), fallback);
    }

    /** The raw channel header, escaped and bounded, when it names no known channel; null otherwise. */
    public String channelHeader() {
        String header = request.getCurrent().request().getHeader(CHANNEL_HEADER);
        return header == null || header.isBlank() || knownChannel(header).isPresent() ? null : EventText.escape(header, 64);
    }

    // The user agent is the client's text, not ours: escaped (lossless) so an event can always carry it.
    private static String userAgent(HttpServerRequest http) {
        return EventText.escape(http.getHeader("User-Agent"), MAX_USER_AGENT);
    }

    private static String address(HttpServerRequest http) {
        return http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    }

    private static Optional<Channel> knownChannel(String header) {
        if (header == null) {
            return Optional.empty();
        }
        return Arrays.stream(Channel.values()).filter(c -> c.name().equalsIgnoreCase(header.trim())).findFirst();
    }
}
