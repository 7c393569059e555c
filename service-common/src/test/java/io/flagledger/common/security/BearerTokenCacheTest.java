package io.flagledger.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache inside a running service, with tokens checked against a local RSA key: a cached token
 * keeps its roles, its JWT claims and its expiry; anything that is not byte for byte the verified token is verified
 * in full and refused as before.
 */
@QuarkusTest
@WithTestResource(value = PostgresDatabaseResource.class)
@WithTestResource(value = BearerTokenCacheTest.LocalIssuer.class)
class BearerTokenCacheTest {

    /** An RSA key made per run; the service trusts its public half, the test signs with the private half. */
    public static class LocalIssuer implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                rsa.initialize(2048);
                KeyPair key = rsa.generateKeyPair();
                Base64.Encoder b64 = Base64.getEncoder();
                return Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", "",
                        "quarkus.oidc.public-key", b64.encodeToString(key.getPublic().getEncoded()),
                        "quarkus.oidc.token.audience", "token-cache-test",
                        "quarkus.oidc.roles.role-claim-path", "realm_access/roles",
                        "flagledger.outbox.enabled", "false",
                        "test.token.private-key", b64.encodeToString(key.getPrivate().getEncoded()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
        }
    }

    @Path("/test/whoami")
    public static class WhoAmI {
        @Inject
        SecurityIdentity identity;

        @Inject
        JsonWebToken jwt;

        @GET
        @RolesAllowed("reader")
        public String whoami() {
            return identity.getPrincipal().getName() + " " + jwt.getClaim("team");
        }
    }

    @TestHTTPResource("/test/whoami")
    URI whoami;

    @Inject
    MeterRegistry registry;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aTokenIsVerifiedOnceAndThenServedWithItsRolesAndClaims() throws Exception {
        String token = token(key(), "alice", "reader", "token-cache-test", 300);
        double hits = hits();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(token);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("alice blue");
        }
        assertThat(hits() - hits).as("the second and third request came from the cache").isEqualTo(2);
        assertThat(get(token(key(), "bob", "writer", "token-cache-test", 300)).statusCode()).isEqualTo(403);
        String writer = token(key(), "carol", "writer", "token-cache-test", 300);
        assertThat(get(writer).statusCode()).isEqualTo(403);
        assertThat(get(writer).statusCode()).as("a cached identity keeps its roles").isEqualTo(403);
    }

    @Test
    void anythingButTheVerifiedTokenIsVerifiedAndRefused() throws Exception {
        String token = token(key(), "alice", "reader", "token-cache-test", 300);
        assertThat(get(token).statusCode()).isEqualTo(200);
        // Inside the signature: its last character also carries pad bits the verifier ignores.
        int at = token.length() - 10;
        String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'Q' : 'A') + token.substring(at + 1);
        assertThat(get(tampered).statusCode()).isEqualTo(401);
        String[] parts = token.split("\\.");
        String otherClaims = token(key(), "mallory", "reader", "token-cache-test", 300).split("\\.")[1];
        assertThat(get(parts[0] + "." + otherClaims + "." + parts[2]).statusCode()).as("claims swapped under a cached signature").isEqualTo(401);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThat(get(token(rsa.generateKeyPair().getPrivate(), "alice", "reader", "token-cache-test", 300)).statusCode()).isEqualTo(401);
        String audience = token(key(), "alice", "reader", "another-service", 300);
        assertThat(get(audience).statusCode()).isEqualTo(401);
        assertThat(get(audience).statusCode()).as("a refused token is never remembered").isEqualTo(401);
    }

    @Test
    void aCachedTokenIsRefusedOnceItExpires() throws Exception {
        String token = token(key(), "alice", "reader", "token-cache-test", 3);
        double hits = hits();
        assertThat(get(token).statusCode()).isEqualTo(200);
        assertThat(get(token).statusCode()).isEqualTo(200);
        assertThat(hits() - hits).isEqualTo(1);
        Thread.sleep(4_000);
        assertThat(get(token).statusCode()).as("past exp, though the cache's ttl (30 s) has not run out").isEqualTo(401);
    }

    private HttpResponse<String> get(String token) throws Exception {
        return http.send(HttpRequest.newBuilder(whoami).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private double hits() {
        return registry.counter("flagledger.auth.token.cache", "result", "hit").count();
    }

    /** Read when used, not injected: only this class's application has the test resource that sets it. */
    private PrivateKey key() throws Exception {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(
                ConfigProvider.getConfig().getValue("test.token.private-key", String.class))));
    }

    private static String token(PrivateKey key, String subject, String role, String audience, int seconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(subject);
        claims.setAudience(audience);
        claims.setIssuer("token-cache-test");
        claims.setClaim("preferred_username", subject);
        claims.setClaim("team", "blue");
        claims.setClaim("realm_access", Map.of("roles", List.of(role)));
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromMilliseconds(System.currentTimeMillis() + seconds * 1000L));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }
}
