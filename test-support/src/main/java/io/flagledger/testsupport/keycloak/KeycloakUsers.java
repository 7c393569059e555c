package io.flagledger.testsupport.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Test-only changes to the running Keycloak through its admin API: extra clients and users that the demo realm does
 * not have (a second account of one person, an account without a Flagledger role). Each user gets a random password
 * and a unique name, so test runs never collide.
 */
public final class KeycloakUsers {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user created here: its token comes from {@code clientId} (a public client with direct grants) like the demo users'. */
    public record User(Keycloak keycloak, String clientId, String username, String password) {
        public String token() {
            return keycloak.passwordToken(clientId, null, username, password);
        }
    }

    private KeycloakUsers() {
    }

    /**
     * Creates a user with {@code email} ({@code verified} or not) and realm roles. The realm first allows duplicate
     * emails (and so no sign-in by email, which Keycloak requires for that): several accounts of one person.
     */
    public static User create(String prefix, String email, boolean verified, String... roles) {
        return create(KeycloakResource.keycloak(), KeycloakResource.TEST_CLIENT, prefix, email, verified, roles);
    }

    /** As {@link #create(String, String, boolean, String...)} on {@code kc}, signing in through {@code clientId}. */
    public static User create(Keycloak kc, String clientId, String prefix, String email, boolean verified, String... roles) {
        String admin = adminToken(kc);
        ObjectNode realm = JSON.createObjectNode().put("duplicateEmailsAllowed", true).put("loginWithEmailAllowed", false);
        send(kc, admin, "PUT", "/admin/realms/flagledger", realm.toString(), 204);
        String username = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        ObjectNode user = JSON.createObjectNode().put("username", username).put("enabled", true)
                .put("firstName", prefix).put("lastName", "Test").put("email", email).put("emailVerified", verified);
        user.putArray("requiredActions");
        user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
        HttpResponse<String> created = send(kc, admin, "POST", "/admin/realms/flagledger/users", user.toString(), 201);
        String location = created.headers().firstValue("Location").orElseThrow();
        String id = location.substring(location.lastIndexOf('/') + 1);
        if (roles.length > 0) {
            ArrayNode mappings = JSON.createArrayNode();
            for (String role : roles) {
                mappings.add(read(send(kc, admin, "GET", "/admin/realms/flagledger/roles/" + role, null, 200)));
            }
            send(kc, admin, "POST", "/admin/realms/flagledger/users/" + id + "/role-mappings/realm", mappings.toString(), 204);
        }
        return new User(kc, clientId, username, password);
    }

    /** Creates a client of the realm from its JSON representation; one that exists already is left as it is. */
    public static void createClient(String json) {
        Keycloak kc = KeycloakResource.keycloak();
        HttpResponse<String> r = send(kc, adminToken(kc), "POST", "/admin/realms/flagledger/clients", json, 0);
        if (r.statusCode() != 201 && r.statusCode() != 409) {
            throw new IllegalStateException("creating a test client: " + r.statusCode() + " " + r.body());
        }
    }

    private static String adminToken(Keycloak kc) {
        String form = Map.of("grant_type", "password", "client_id", "admin-cli", "username", kc.adminUsername(),
                        "password", kc.adminPassword()).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(kc.baseUrl()
                            + "/realms/master/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            return read(r).get("access_token").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code expected} 0: any status. */
    private static HttpResponse<String> send(Keycloak kc, String admin, String method, String path, String json, int expected) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(kc.baseUrl() + path))
                .header("Authorization", "Bearer " + admin);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (expected != 0 && r.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }
}
