package io.flagledger.approval.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.approval.apply.FlagApiClient;
import io.flagledger.approval.requests.ChangeRequest;
import io.flagledger.approval.requests.ChangeRequestApi;
import io.flagledger.approval.requests.ChangeRequestService;
import io.flagledger.approval.requests.EdgeInput;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.Channel;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.flagledger.approval.policy.Roles;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console page where a flag editor files a change request for one flag environment: first the target
 * (project, flag, environment; the current config is then loaded from flag-api and prefilled), then the proposed
 * config as JSON, a reason and a correlation id. Invalid input re-renders the form (400) with each error next to
 * its field; the request itself goes through the same service, checks and events as the API.
 */
@Path("/console/new")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class FilingResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile(ChangeRequestApi.KEY_PATTERN);
    private static final Pattern ENVIRONMENT = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");

    @CheckedTemplate
    static class Templates {
        /** {@code errors}: field name (or {@code form}) to message; {@code loaded}: the target's config was read. */
        static native TemplateInstance form(Actor me, Form form, Map<String, String> errors, boolean loaded);
    }

    /** What the person typed, echoed back into the form (Qute escapes it). */
    public record Form(String project, String flag, String environment, Long baseVersion, String config, String reason,
                       String correlationId) {
    }

    @Inject
    ChangeRequestService service;

    @Inject
    FlagApiClient flagApi;

    @Inject
    CurrentActor currentActor;

    @GET
    public Response form(@QueryParam("project") String project, @QueryParam("flag") String flag,
                         @QueryParam("environment") String environment) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS);
        Form form = new Form(trim(project), trim(flag), trim(environment), null, null, null, null);
        if (form.project() == null && form.flag() == null && form.environment() == null) {
            return render(200, form, Map.of(), false);
        }
        Map<String, String> errors = targetErrors(form);
        if (!errors.isEmpty()) {
            return render(400, form, errors, false);
        }
        // The config is read with this service's credentials: show it only to who may change it.
        if (!Roles.mayFile(currentActor.actor(), form.project(), form.environment())) {
            return render(403, form, Map.of("project", "Your roles do not allow you to change " + form.project() + "/"
                    + form.environment() + "."), false);
        }
        FlagApiClient.EnvironmentState current;
        try {
            current = flagApi.environment(form.project(), form.flag(), form.environment());
        } catch (ProblemException e) {
            return render(e.status() == 404 ? 404 : 502, form, Map.of(e.status() == 404 ? "flag" : "form", e.getMessage()), false);
        }
        return render(200, new Form(form.project(), form.flag(), form.environment(), current.version(),
                pretty(current.config()), null, null), Map.of(), true);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response file(@FormParam("project") String project, @FormParam("flag") String flag,
                         @FormParam("environment") String environment, @FormParam("baseVersion") Long baseVersion,
                         @FormParam("config") String config, @FormParam("reason") String reason,
                         @FormParam("correlationId") String correlationId) {
        Roles.requireAnywhere(currentActor.actor(), Roles.EDITORS);
        Form form = new Form(trim(project), trim(flag), trim(environment), baseVersion, config, trim(reason), trim(correlationId));
        Map<String, String> errors = targetErrors(form);
        JsonNode proposed = null;
        if (form.config() == null || form.config().isBlank()) {
            errors.put("config", "Enter the proposed configuration as JSON.");
        } else {
            try {
                proposed = JSON.readTree(form.config());
                String refused = EdgeInput.json("config", proposed);
                if (proposed == null || !proposed.isObject()) {
                    errors.put("config", "The configuration must be a JSON object, starting with {.");
                } else if (refused != null) {
                    errors.put("config", "This configuration cannot be recorded: " + refused + ".");
                }
            } catch (JsonProcessingException e) {
                var at = e.getLocation();
                errors.put("config", "This is not valid JSON: " + e.getOriginalMessage()
                        + (at == null ? "." : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")."));
            }
        }
        if (form.reason() == null) {
            errors.put("reason", "Say why this change is needed; approvers read it.");
        } else if (form.reason().length() > EdgeInput.MAX_TEXT_LENGTH) {
            errors.put("reason", "Keep the reason under 2,000 characters.");
        } else if (EdgeInput.text(form.reason(), EdgeInput.MAX_TEXT_LENGTH) != null) {
            errors.put("reason", "The reason " + EdgeInput.text(form.reason(), EdgeInput.MAX_TEXT_LENGTH) + ".");
        }
        if (form.correlationId() == null) {
            errors.put("correlationId", "Enter the ticket or CI run this change belongs to, e.g. CHG-1234.");
        } else if (form.correlationId().length() > EdgeInput.MAX_CORRELATION_LENGTH) {
            errors.put("correlationId", "Keep the correlation id under 200 characters.");
        } else if (EdgeInput.line(form.correlationId(), EdgeInput.MAX_CORRELATION_LENGTH) != null) {
            errors.put("correlationId", "The correlation id " + EdgeInput.line(form.correlationId(),
                    EdgeInput.MAX_CORRELATION_LENGTH) + ".");
        }
        if (baseVersion == null) {
            errors.put("form", "Load the current configuration first, so the change is based on a known version.");
        }
        if (!errors.isEmpty()) {
            return render(400, form, errors, true);
        }
        ChangeRequest cr;
        try {
            cr = service.create(currentActor.actor(), currentActor.requestMetadata(Channel.CONSOLE),
                    new ChangeRequestService.Proposal(form.project(), form.flag(), null, form.environment(), baseVersion,
                            proposed, form.reason(), form.correlationId()));
        } catch (ProblemException e) {
            // 404: no such flag or environment; 409: the config moved on, or nothing would change
            String field = e.status() == 404 ? "flag" : e.getMessage().contains("same as the current") ? "config" : "form";
            return render(e.status(), form, Map.of(field, e.getMessage()), true);
        }
        // post/redirect/get: a reload never files the request twice
        return Response.seeOther(URI.create("/console/requests/" + cr.id() + "?notice=filed")).build();
    }

    private Response render(int status, Form form, Map<String, String> errors, boolean loaded) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.form(currentActor.actor(), form, errors, loaded)).build();
    }

    private static Map<String, String> targetErrors(Form form) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (form.project() == null || !KEY.matcher(form.project()).matches()) {
            errors.put("project", "Enter a project key: lower-case letters, digits, '.', '_' or '-'.");
        }
        if (form.flag() == null || !KEY.matcher(form.flag()).matches()) {
            errors.put("flag", "Enter a flag key: lower-case letters, digits, '.', '_' or '-'.");
        }
        if (form.environment() == null || !ENVIRONMENT.matcher(form.environment()).matches()) {
            errors.put("environment", "Enter an environment, e.g. production.");
        }
        return errors;
    }

    private static String pretty(JsonNode config) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            return config.toString();
        }
    }

    private static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
