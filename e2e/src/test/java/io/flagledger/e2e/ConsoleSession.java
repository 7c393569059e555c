package io.flagledger.e2e;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A signed-in session on approval-service's console without a browser: the OIDC authorization code flow through
 * Keycloak's login form, then the session and CSRF cookies a form post needs, as a {@code Cookie} header.
 */
final class ConsoleSession {

    private static final Pattern LOGIN_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");
    private static final Pattern CSRF_INPUT = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\"");

    private final CookieManager cookies = new CookieManager();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.ALWAYS)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String console;
    final String csrfField;
    final String csrfToken;

    /** Signs {@code user} in and reads the CSRF token from the filing form. */
    ConsoleSession(String approvalUrl, String user, String password) throws IOException, InterruptedException {
        this.console = approvalUrl;
        String login = get(approvalUrl + "/console/new").body();
        Matcher action = LOGIN_ACTION.matcher(login);
        if (!action.find()) {
            throw new IllegalStateException("no Keycloak login form at " + approvalUrl + "/console/new:\n" + abbreviate(login));
        }
        String form = "username=" + enc(user) + "&password=" + enc(password) + "&credentialId=";
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher csrf = CSRF_INPUT.matcher(page.body());
        if (page.statusCode() != 200 || !csrf.find()) {
            throw new IllegalStateException("signing in " + user + " on the console ended with " + page.statusCode() + " at "
                    + page.uri() + ":\n" + abbreviate(page.body()));
        }
        csrfField = csrf.group(1);
        csrfToken = csrf.group(2);
    }

    /** The cookies the console's own origin gets (session, CSRF), as one {@code Cookie} header value. */
    String cookieHeader() {
        URI uri = URI.create(console);
        return cookies.getCookieStore().get(uri).stream().map(HttpCookie::toString).collect(Collectors.joining("; "));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() > 1500 ? text.substring(0, 1500) + "…" : text;
    }
}
