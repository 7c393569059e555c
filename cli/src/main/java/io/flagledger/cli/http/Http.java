package io.flagledger.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;

/** Reading answers: the expected statuses give the body, anything else is a one-line error naming the problem. */
public final class Http {

    private Http() {
    }

    public static JsonNode json(Response response, String what, int... expected) {
        try (response) {
            if (Arrays.stream(expected).noneMatch(s -> s == response.getStatus())) {
                throw failure(response, what);
            }
            return response.hasEntity() ? response.readEntity(JsonNode.class) : null;
        }
    }

    /** The error for an unexpected answer: status, and the problem+json title and detail when there is one. */
    public static CliException failure(Response response, String what) {
        return new CliException(ExitCodes.ERROR, what + ": HTTP " + response.getStatus() + problem(response));
    }

    public static String problem(Response response) {
        try {
            if (!response.hasEntity()) {
                return "";
            }
            String body = response.readEntity(String.class);
            JsonNode p = io.flagledger.cli.Yaml.JSON.readTree(body);
            String detail = p.path("detail").asText(p.path("title").asText(""));
            StringBuilder out = new StringBuilder(detail.isEmpty() ? "" : " " + detail);
            for (JsonNode e : p.path("errors")) {
                out.append(" [").append(e.path("field").asText()).append(": ").append(e.path("message").asText()).append(']');
            }
            return out.toString();
        } catch (Exception e) {
            return "";
        }
    }

    /** An ETag such as {@code "3"} or {@code W/"3"} as a number. */
    public static long version(Response response) {
        String tag = response.getHeaderString("ETag");
        return tag == null ? -1 : Long.parseLong(tag.replace("W/", "").replace("\"", "").trim());
    }
}
