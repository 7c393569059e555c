package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.contract.RequestMetadata;
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
        List<String> roles = identity.getRoles().stream().sorted().toList();
        String subject = Optional.ofNullable(token.getSubject()).orElse(identity.getPrincipal().getName());
        String username = token.getClaim("preferred_username");
        boolean service = roles.contains(serviceRole) || (username != null && username.startsWith("service-account-"));
        String name = Optional.ofNullable((String) token.getClaim("name")).orElse(username);
        return new Actor(subject, service ? ActorType.SERVICE : ActorType.USER, name, token.getClaim("email"), roles);
    }

    public RequestMetadata requestMetadata() {
        HttpServerRequest http = request.getCurrent().request();
        String userAgent = http.getHeader("User-Agent");
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            userAgent = userAgent.substring(0, MAX_USER_AGENT);
        }
        String address = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        return new RequestMetadata(userAgent, address, channel(http.getHeader(CHANNEL_HEADER)));
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
