package io.flagledger.audit.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.audit.access.ReaderScope;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Everything that happened to one flag: its changes, plus every approval, monitor action or other entry that
 * shares a correlation id with one of them (an approval of a change, the automatic revert of a rollout), newest
 * first, in pages.
 */
@Path("/api/v1/audit/flags/{project}/{flag}/timeline")
@Produces(MediaType.APPLICATION_JSON)
public class TimelineResource {

    /** {@code kind}: change (flag-api), approval, monitor, audit (audit-service's own records) or other. */
    public record Item(long seq, OffsetDateTime receivedAt, String kind, String action, String correlationId, JsonNode event) {
    }

    public record Timeline(String project, String flag, List<Item> items, Long nextCursor) {
    }

    private static final String QUERY = """
            select seq, received_at, source_service, action, correlation_id, canonical_json from ledger_entry
            where ((project = $1 and flag_id = $2)
                   or correlation_id in (select correlation_id from ledger_entry where project = $1 and flag_id = $2))
              and seq < $3
            order by seq desc limit $4""";

    private static final ObjectMapper MAPPER = EventJson.mapper();

    @Inject
    Pool pool;

    @Inject
    ReadAudit readAudit;

    @Inject
    CurrentActor currentActor;

    @GET
    @Authenticated
    @APIResponse(responseCode = "403", description = "No audit-reader role for the whole project")
    @APIResponse(responseCode = "400", description = "cursor or limit is not a positive whole number, or limit is too large; "
            + "project or flag is too long or contains control characters")
    @APIResponse(responseCode = "200", description = "The flag's ledger entries and those correlated with them, newest first",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Timeline.class)))
    public Uni<Timeline> timeline(@PathParam("project") @Size(max = AuditEventResource.MAX) @EventText.Line String project,
                                  @PathParam("flag") @Size(max = AuditEventResource.MAX) @EventText.Line String flag,
                                  @QueryParam("cursor") @Size(max = AuditEventResource.MAX) @EventText.Line String cursor,
                                  @QueryParam("limit") @DefaultValue("100") @Size(max = AuditEventResource.MAX) @EventText.Line String limit) {
        ReaderScope.requireCovers(currentActor.actor(), project, null);
        long before = cursor == null || cursor.isBlank() ? Long.MAX_VALUE : positive("cursor", cursor);
        long size = positive("limit", limit);
        if (size > AuditQuery.MAX_LIMIT) {
            throw ProblemException.badRequest("limit must be between 1 and " + AuditQuery.MAX_LIMIT);
        }
        readAudit.read(currentActor.actor(), currentActor.requestMetadata(Channel.API), "timeline",
                Map.of("project", project, "flag", flag, "cursor", cursor == null ? "" : cursor, "limit", limit));
        return pool.preparedQuery(QUERY).execute(Tuple.of(project, flag, before, size + 1)).map(rows -> {
            List<Item> items = new ArrayList<>();
            for (Row r : rows) {
                items.add(new Item(r.getLong("seq"), r.getOffsetDateTime("received_at"), kind(r.getString("source_service")),
                        r.getString("action"), r.getString("correlation_id"), json(r.getString("canonical_json"))));
            }
            Long next = null;
            if (items.size() > size) {
                items.remove(items.size() - 1);
                next = items.get(items.size() - 1).seq();
            }
            return new Timeline(project, flag, items, next);
        });
    }

    private static String kind(String service) {
        return switch (service) {
            case "flag-api" -> "change";
            case "approval-service" -> "approval";
            case "monitor-service" -> "monitor";
            case "audit-service" -> "audit";
            default -> "other";
        };
    }

    private static long positive(String name, String value) {
        try {
            long n = Long.parseLong(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.badRequest(name + " must be a positive whole number, not '" + value + "'");
    }

    private static JsonNode json(String canonical) {
        try {
            return MAPPER.readTree(canonical);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
