package io.flagledger.audit.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.audit.access.ReaderScope;
import io.flagledger.audit.proof.InclusionProofView;
import io.flagledger.audit.proof.InclusionProofs;
import io.flagledger.audit.proof.Params;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.actor.CurrentActor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
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
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Path("/api/v1/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class AuditEventResource {

    /** One ledger entry as served: its position, when the ledger received it, and the event exactly as signed. */
    public record Entry(long seq, OffsetDateTime receivedAt, JsonNode event) {
    }

    /**
     * One entry with its RFC 9162 inclusion proof; {@code inclusionProof} is null while no checkpoint covers the
     * entry yet (it is signed within {@code flagledger.checkpoint.interval}).
     */
    public record ProvenEntry(long seq, OffsetDateTime receivedAt, JsonNode event, InclusionProofView inclusionProof) {
    }

    /** A page of entries, newest first; pass {@code nextCursor} as {@code cursor} for the next page. */
    public record Page(List<Entry> items, Long nextCursor) {
    }

    private static final ObjectMapper MAPPER = EventJson.mapper();

    /**
     * Every query parameter is a single line of at most this many characters, checked before any database access
     * (a 400 naming it): the search and its filters are recorded in an {@code audit.read} event.
     */
    static final int MAX = EventValidator.MAX_ID_LENGTH;

    @Inject
    Pool pool;

    @Inject
    InclusionProofs proofs;

    @Inject
    ReadAudit readAudit;

    @Inject
    CurrentActor currentActor;

    @GET
    @Authenticated
    @APIResponse(responseCode = "403", description = "No audit-reader role, or one scoped to other projects (a scoped reader must name its project)")
    @APIResponse(responseCode = "400", description = "A filter, cursor or limit is malformed, too long, or contains control characters")
    @APIResponse(responseCode = "200", description = "A page of entries, newest first",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Page.class)))
    public Uni<Page> search(@QueryParam("project") @Size(max = MAX) @EventText.Line String project,
                            @QueryParam("flag") @Size(max = MAX) @EventText.Line String flag,
                            @QueryParam("environment") @Size(max = MAX) @EventText.Line String environment,
                            @QueryParam("actor") @Size(max = MAX) @EventText.Line String actor,
                            @QueryParam("action") @Size(max = MAX) @EventText.Line String action,
                            @QueryParam("correlation_id") @Size(max = MAX) @EventText.Line String correlationId,
                            @QueryParam("actor_type") @Size(max = MAX) @EventText.Line String actorType,
                            @QueryParam("source") @Size(max = MAX) @EventText.Line String source,
                            @QueryParam("channel") @Size(max = MAX) @EventText.Line String channel,
                            @QueryParam("from") @Size(max = MAX) @EventText.Line String from,
                            @QueryParam("to") @Size(max = MAX) @EventText.Line String to,
                            @QueryParam("cursor") @Size(max = MAX) @EventText.Line String cursor,
                            @QueryParam("limit") @DefaultValue("50") @Size(max = MAX) @EventText.Line String limit) {
        ReaderScope.requireCovers(currentActor.actor(), project, environment);
        AuditFilter filter = new AuditFilter(project, flag, environment, actor, actorType, action, correlationId, source,
                channel, AuditFilter.instant("from", from), AuditFilter.instant("to", to));
        AuditQuery query = new AuditQuery(filter, cursor == null ? null : number("cursor", cursor),
                (int) Math.max(0, Math.min(AuditQuery.MAX_LIMIT + 1, number("limit", limit))));
        AuditQuery.Sql sql = query.toSql();
        audited("events", filter, Map.of("cursor", cursor == null ? "" : cursor, "limit", limit));
        return pool.preparedQuery(sql.text()).execute(Tuple.from(sql.parameters())).map(rows -> {
            List<Entry> items = new ArrayList<>();
            for (Row row : rows) {
                items.add(new Entry(row.getLong("seq"), row.getOffsetDateTime("received_at"), json(row.getString("canonical_json"))));
            }
            Long next = null;
            if (items.size() > query.limit()) {
                items.remove(items.size() - 1);
                next = items.get(items.size() - 1).seq();
            }
            return new Page(items, next);
        });
    }

    /** The entry for an event id, proven against the latest checkpoint or the tree of {@code tree_size}. */
    @GET
    @Path("{eventId}")
    @Authenticated
    @APIResponse(responseCode = "400", description = "The event id is not a UUID, or tree_size is malformed or too small")
    @APIResponse(responseCode = "404", description = "No such event in the ledger, or no tree of that size")
    @APIResponse(responseCode = "200", description = "The entry with its inclusion proof (null until a checkpoint covers it)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ProvenEntry.class)))
    public Uni<ProvenEntry> get(@PathParam("eventId") @Size(max = MAX) @EventText.Line String eventId,
                                 @QueryParam("tree_size") @Size(max = MAX) @EventText.Line String treeSize) {
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("event id must be a UUID, not '" + eventId + "'");
        }
        Long size = treeSize == null || treeSize.isBlank() ? null : Params.size("tree_size", treeSize, 1);
        Actor reader = currentActor.actor();
        ReaderScope.requireAnywhere(reader);
        readAudit.read(reader, currentActor.requestMetadata(Channel.API), "event",
                Map.of("event_id", id, "tree_size", treeSize == null ? "" : treeSize));
        return pool.withConnection(conn -> conn
                .preparedQuery("select e.seq, e.received_at, e.canonical_json, e.leaf_hash, e.project, e.environment, "
                        + InclusionProofs.headColumns(2) + ", lower_levels, lower_idx, lower_hashes from ledger_entry e "
                        + InclusionProofs.lowerNodesJoin(2, proofs.cachedLevel()) + " where e.event_id = $1")
                .execute(Tuple.of(id, size))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("no event " + id + " in the ledger");
                    }
                    Row row = rows.iterator().next();
                    JsonNode entry = json(row.getString("canonical_json"));
                    // a scoped reader learns no more than that the id exists; the columns, not the payload, which an
                    // archived entry no longer holds (the self-check keeps the columns equal to the signed event)
                    ReaderScope.requireCovers(reader, row.getString("project"), row.getString("environment"));
                    long seq = row.getLong("seq");
                    return proofs.prove(conn, seq, row.getBuffer("leaf_hash").getBytes(), size, InclusionProofs.Heads.of(row),
                                    InclusionProofs.lowerNodes(row))
                            .map(proof -> new ProvenEntry(seq, row.getOffsetDateTime("received_at"),
                                    entry, proof.orElse(null)));
                }));
    }

    private void audited(String what, AuditFilter filter, Map<String, String> more) {
        Map<String, Object> parameters = new java.util.TreeMap<>(MAPPER.convertValue(filter,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
        parameters.putAll(more);
        readAudit.read(currentActor.actor(), currentActor.requestMetadata(Channel.API), what, parameters);
    }

    /** Parsed here, not by JAX-RS, so a bad number is a 400 with a message rather than a bare 404. */
    private static long number(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + " must be a whole number, not '" + value + "'");
        }
    }

    /** Null once the payload left the hot store (retention); the entry, its leaf hash and proofs remain. */
    private static JsonNode json(String canonical) {
        if (canonical == null) {
            return null;
        }
        try {
            return MAPPER.readTree(canonical);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
