package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.SafeText;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import io.flagledger.common.problem.ProblemException;

/**
 * The actor and request metadata of the current request, taken from the verified OIDC token
 * (never from the body), so that audit events name the real subject.
 */
@RequestScoped
public class CurrentActor {

    /** Header a client sets to say through which channel a change was made. */
    public static final String CHANNEL_HEADER = "X-Flagledger-Channel";

    private static final int MAX_USER_AGENT = 512;

    @Inject
    SecurityIdentity identity;

    @Inject
    JsonWebToken token;

    @Inject
    CurrentVertxRequest request;

    /** Role that marks a machine identity (client-credentials tokens carry it). */
    @ConfigProperty(name = "flagledger.actors.service-role", defaultValue = "automation")
    String serviceRole;

    public Actor actor() {
        return actorOf(identity);
    }

    /** The actor of an already resolved identity (usable where the request's identity must not be resolved lazily). */
    public Actor actorOf(SecurityIdentity resolved) {
        JsonWebToken jwt = resolved.getPrincipal() instanceof JsonWebToken principal ? principal : token;
        List<String> roles = resolved.getRoles().stream().sorted().toList();
        String subject = Optional.ofNullable(jwt.getSubject()).orElse(resolved.getPrincipal().getName());
        String username = jwt.getClaim("preferred_username");
        boolean service = roles.contains(serviceRole) || (username != null && username.startsWith("service-account-"));
        String name = Optional.ofNullable((String) jwt.getClaim("name")).orElse(username);
        return new Actor(subject, service ? ActorType.SERVICE : ActorType.USER, name, jwt.getClaim("email"), roles);
    }

    public RequestMetadata requestMetadata() {
        return requestMetadata(null);
    }

    /** Request metadata; {@code channel}, when given, is used if the client named none (no identity lookup then). */
    public RequestMetadata requestMetadata(Channel channel) {
        HttpServerRequest http = request.getCurrent().request();
        // recorded, not chosen by us: percent-escaped so a control character in it cannot make the event unsignable
        String userAgent = SafeText.escape(http.getHeader("User-Agent"));
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            // never half a surrogate pair: that has no UTF-8 form
            int end = Character.isHighSurrogate(userAgent.charAt(MAX_USER_AGENT - 1)) ? MAX_USER_AGENT - 1 : MAX_USER_AGENT;
            userAgent = userAgent.substring(0, end);
        }
        String address = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        String header = http.getHeader(CHANNEL_HEADER);
        return new RequestMetadata(userAgent, address, channel != null && (header == null || header.isBlank()) ? channel : channel(header));
    }

    private Channel channel(String header) {
        if (header == null || header.isBlank()) {
            return actor().isService() ? Channel.AUTOMATION : Channel.API;
        }
        try {
            return Channel.valueOf(header.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(CHANNEL_HEADER + " must be one of api, console, ci, automation");
        }
    }
}
