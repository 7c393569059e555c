package io.flagledger.testsupport.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flagledger.testsupport.internal.Processes;
import io.restassured.path.json.JsonPath;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakTest {

    @Test
    @Order(1)
    void issuesTokensForTheFlagledgerRealm() throws Exception {
        DemoRealm realm = DemoRealm.generate();
        Map<String, String> realmEnv = realm.environment();
        assertEquals(DemoRealm.USERS.size() + DemoRealm.CONFIDENTIAL_CLIENTS.size(), realmEnv.size(),
                realmEnv.keySet().toString());

        List<ProcessHandle> tree = new ArrayList<>();
        try (Keycloak kc = Keycloak.start(null, Duration.ofSeconds(300), realmEnv)) {
            kc.processHandle().descendants().forEach(tree::add);
            tree.add(kc.processHandle());
            System.out.println("[timing] Keycloak started in " + kc.startupTime().toMillis() + " ms, RSS "
                    + Processes.rssMiB(kc.processHandle()) + " MiB, issuer " + kc.issuerUrl());
            assertTrue(kc.issuerUrl().matches("http://127\\.0\\.0\\.1:\\d+/realms/flagledger"), kc.issuerUrl());

            JsonPath requester = claims(kc.passwordToken("flagledger-cli", null, "requester", realm.password("requester")));
            assertEquals(kc.issuerUrl(), requester.getString("iss"));
            assertTrue(requester.getList("realm_access.roles").contains("flag-editor"), requester.prettify());
            assertTrue(requester.getList("realm_access.roles").contains("flag-viewer"), requester.prettify());
            assertFalse(requester.getList("realm_access.roles").contains("flag-approver"), requester.prettify());
            assertTrue(requester.getList("aud").contains("flag-api"), requester.prettify());
            assertTrue(requester.getList("aud").contains("audit-service"), requester.prettify());
            assertEquals("requester", requester.getString("preferred_username"));
            assertEquals("requester@flagledger.test", requester.getString("email"));
            assertNotNull(requester.getString("name"));
            long lifetime = requester.getLong("exp") - requester.getLong("iat");
            assertEquals(900, lifetime, "access token lifespan");

            JsonPath approver2 = claims(kc.passwordToken("flagledger-cli", null, "approver2", realm.password("approver2")));
            assertTrue(approver2.getList("realm_access.roles").containsAll(
                    List.of("flag-viewer", "flag-approver", "security-approver")), approver2.prettify());

            // least privilege: each service account holds its own job's role, never flag-editor
            for (Map.Entry<String, String> service : Map.of("monitor-service", "flag-reverter",
                    "approval-service", "flag-applier").entrySet()) {
                JsonPath sa = claims(kc.clientCredentialsToken(service.getKey(), realm.clientSecret(service.getKey())));
                List<String> roles = sa.getList("realm_access.roles");
                assertTrue(roles.containsAll(List.of("automation", service.getValue())), sa.prettify());
                assertFalse(roles.contains("flag-editor"), sa.prettify());
                assertTrue(sa.getList("aud").contains("flag-api"), sa.prettify());
            }

            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    () -> kc.passwordToken("flagledger-cli", null, "requester", realm.password("requester") + "x"));
            assertTrue(wrong.getMessage().contains("invalid_grant"), wrong.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> kc.passwordToken("flagledger-cli", null, "requester", realm.password("viewer")));
            assertThrows(IllegalStateException.class, () -> kc.clientCredentialsToken("monitor-service", "nope"));

            // the console client accepts loopback redirects on any port (PKCE S256), nothing else
            assertEquals(200, authorize(kc, "http://127.0.0.1:43123/callback"));
            assertEquals(200, authorize(kc, "http://localhost:43123/callback"));
            assertEquals(400, authorize(kc, "http://example.org/callback"));
        }
        for (ProcessHandle h : tree) {
            assertFalse(h.isAlive(), "Keycloak process " + h.pid() + " still alive after close()");
        }
    }

    @Test
    @Order(2)
    void resourceSharesOneKeycloakPerJvm() {
        KeycloakResource resource = new KeycloakResource();
        resource.init(Map.of());
        long begin = System.nanoTime();
        Map<String, String> config = resource.start();
        System.out.println("[timing] KeycloakResource.start() took " + (System.nanoTime() - begin) / 1_000_000
                + " ms");
        try {
            Keycloak kc = KeycloakResource.keycloak();
            assertEquals(kc.issuerUrl(), config.get("quarkus.oidc.auth-server-url"));
            assertEquals("flag-api", config.get("quarkus.oidc.client-id"));
            assertEquals(KeycloakResource.clientSecret("flag-api"), config.get("quarkus.oidc.credentials.secret"));

            KeycloakResource other = new KeycloakResource();
            other.init(Map.of("client-id", "flagledger-cli", "oidc-client-id", "monitor-service"));
            long again = System.nanoTime();
            Map<String, String> otherConfig = other.start();
            assertTrue(System.nanoTime() - again < 2_000_000_000L, "second start() did not reuse Keycloak");
            assertEquals(kc.issuerUrl(), otherConfig.get("quarkus.oidc.auth-server-url"));
            assertFalse(otherConfig.containsKey("quarkus.oidc.credentials.secret"), "flagledger-cli is public");
            assertEquals("monitor-service", otherConfig.get("quarkus.oidc-client.client-id"));

            JsonPath approver = claims(KeycloakResource.tokenFor("approver1"));
            assertTrue(approver.getList("realm_access.roles").contains("product-approver"), approver.prettify());
            JsonPath auditor = claims(KeycloakResource.tokenFor("auditor"));
            assertTrue(auditor.getList("realm_access.roles").containsAll(List.of("audit-reader", "audit-exporter")),
                    auditor.prettify());
            JsonPath monitor = claims(KeycloakResource.serviceToken("monitor-service"));
            assertTrue(monitor.getList("realm_access.roles").contains("automation"), monitor.prettify());
            other.stop();
        } finally {
            resource.stop();
            KeycloakResource.keycloak().close(); // normally left to the JVM's exit
        }
    }

    static JsonPath claims(String jwt) {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "not a JWT: " + jwt);
        return JsonPath.from(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    private static int authorize(Keycloak kc, String redirectUri) throws Exception {
        String url = kc.issuerUrl() + "/protocol/openid-connect/auth?client_id=flagledger-console&response_type=code"
                + "&scope=openid&redirect_uri=" + URLEncoder.encode(redirectUri, StandardCharsets.UTF_8)
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
