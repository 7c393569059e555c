package io.flagledger.approval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.testsupport.keycloak.Keycloak;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A genuinely expired access token: Keycloak issues it (real signature, real issuer) through a test client whose
 * tokens live two seconds, and we wait until it has expired.
 */
public final class ExpiredTokens {

    private static final String CLIENT = "expiring-test-client";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String expired;

    private ExpiredTokens() {
    }

    public static synchronized String expiredTokenFor(String user) throws Exception {
        if (expired == null) {
            Keycloak kc = KeycloakResource.keycloak();
            String admin = JSON.readTree(post(kc.baseUrl() + "/realms/master/protocol/openid-connect/token", Map.of(
                    "grant_type", "password", "client_id", "admin-cli", "username", kc.adminUsername(),
                    "password", kc.adminPassword()), null)).get("access_token").asText();
            String client = """
                    {"clientId":"%s","publicClient":true,"directAccessGrantsEnabled":true,"standardFlowEnabled":false,
                     "attributes":{"access.token.lifespan":"2"}}""".formatted(CLIENT);
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(kc.baseUrl() + "/admin/realms/flagledger/clients"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(client)).build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201 && created.statusCode() != 409) {
                throw new IllegalStateException("creating the test client: " + created.statusCode() + " " + created.body());
            }
            expired = kc.passwordToken(CLIENT, null, user, KeycloakResource.realm().password(user));
            Thread.sleep(4000);
        }
        return expired;
    }

    private static String post(String url, Map<String, String> form, String bearer) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
