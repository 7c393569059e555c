package io.flagledger.common.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Wires {@link VerifiedTokens} into Quarkus security for bearer access tokens: {@link Lookup} answers a request from
 * the cache before the OIDC extension's identity provider would verify it, and {@link Recorder} remembers what that
 * provider verified. ID tokens (the console's code flow, which refreshes and logs out) are never cached.
 */
@Singleton
public class BearerTokenCache {

    /** The OIDC extension's attribute for the tenant a request or identity belongs to, and its default tenant. */
    static final String TENANT_ID = "tenant-id";
    static final String DEFAULT_TENANT = "Default";
    /** Marks an identity answered from the cache, so the recorder does not look it up again. */
    private static final String FROM_CACHE = "io.flagledger.token-cache.hit";

    final VerifiedTokens tokens;
    private final Counter hits;
    private final Counter misses;

    /** The OIDC extension's {@code quarkus.oidc.token.age}: a token older than this (by {@code iat}) is refused. */
    private final Optional<Duration> maxAge;

    @Inject
    BearerTokenCache(TokenCacheConfig config, MeterRegistry registry,
                     @ConfigProperty(name = "quarkus.oidc.token.age") Optional<Duration> maxAge) {
        this.tokens = new VerifiedTokens(config.ttl(), config.maxEntries(), Clock.systemUTC());
        this.maxAge = maxAge;
        this.hits = registry.counter("flagledger.auth.token.cache", "result", "hit");
        this.misses = registry.counter("flagledger.auth.token.cache", "result", "miss");
    }

    /**
     * Until when the OIDC extension would still accept a token: its {@code exp}, and, with a configured maximum age,
     * its {@code iat} plus that age (a token without iat then counts as issued at the epoch: never remembered).
     */
    static Instant validUntil(long exp, long iat, Optional<Duration> maxAge) {
        Instant until = Instant.ofEpochSecond(exp);
        if (maxAge.isPresent()) {
            Instant aged = Instant.ofEpochSecond(iat).plus(maxAge.get());
            if (aged.isBefore(until)) {
                until = aged;
            }
        }
        return until;
    }

    /** Runs before the OIDC provider (default priority 1001): a hit is the identity, a miss lets OIDC verify. */
    @Singleton
    public static class Lookup implements IdentityProvider<TokenAuthenticationRequest> {

        @Inject
        BearerTokenCache cache;

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        @Override
        public int priority() {
            return 1002;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
            if (!cache.tokens.enabled() || request.getToken().getClass() != AccessTokenCredential.class) {
                return Uni.createFrom().nullItem();
            }
            RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
            if (rc == null) {
                return Uni.createFrom().nullItem();
            }
            String tenant = Objects.requireNonNullElse(rc.get(TENANT_ID), DEFAULT_TENANT);
            SecurityIdentity cached = cache.tokens.find(request.getToken().getToken(), tenant);
            if (cached == null) {
                cache.misses.increment();
                return Uni.createFrom().nullItem();
            }
            cache.hits.increment();
            return Uni.createFrom().item(forRequest(cached, rc));
        }

        /** The cached identity with this request's own attributes where the OIDC extension put the request's. */
        private static SecurityIdentity forRequest(SecurityIdentity cached, RoutingContext rc) {
            QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder(cached).addAttribute(FROM_CACHE, true);
            if (cached.getAttribute(RoutingContext.class.getName()) != null) {
                b.addAttribute(RoutingContext.class.getName(), rc);
            }
            String blocking = AuthenticationRequestContext.class.getName();
            if (cached.getAttribute(blocking) != null && rc.get(blocking) != null) {
                b.addAttribute(blocking, rc.get(blocking));
            }
            return b.build();
        }
    }

    /** Runs first of the augmentors, so it sees the identity exactly as the provider made it. */
    @Singleton
    public static class Recorder implements SecurityIdentityAugmentor {

        @Inject
        BearerTokenCache cache;

        @Override
        public int priority() {
            return Integer.MAX_VALUE;
        }

        @Override
        public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
            AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
            if (cache.tokens.enabled() && identity.getAttribute(FROM_CACHE) == null && token != null && !token.isOpaque()
                    && identity.getCredential(IdTokenCredential.class) == null
                    && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0
                    && identity.getAttribute(TENANT_ID) instanceof String tenant
                    && cache.tokens.find(token.getToken(), tenant) == null) {
                cache.tokens.remember(token.getToken(), tenant, identity,
                        validUntil(jwt.getExpirationTime(), jwt.getIssuedAtTime(), cache.maxAge));
            }
            return Uni.createFrom().item(identity);
        }
    }
}
